"""`probidad db ...`: schema migrations with Alembic (issue 9, docs/operations.md "Upgrading").

    probidad db upgrade [--revision REV]   # migrate to the head (or REV); prints "from -> to"
    probidad db current                    # the database's revision and the code's head
    probidad db check                      # exit 1 when the database differs from this version's models

The migrations live in migrations/ (alembic.ini at the repository root for the alembic command itself).
"""

from __future__ import annotations

import sys

import click

from engine.config import Settings


def _db():
    from engine import bootstrap_db as bootstrap

    return bootstrap.make_engine(Settings.from_env().database)


def register(main) -> None:
    """Attach the `db` group to the `probidad` command."""
    from engine.cli import CliGroup

    @main.group(cls=CliGroup)
    def db() -> None:
        """Database schema: migrations (Alembic)."""

    @db.command("upgrade")
    @click.option("--revision", default="head", show_default=True)
    def db_upgrade(revision: str) -> None:
        """Run the migrations up to REVISION (take a backup first: docs/operations.md)."""
        from engine import bootstrap_db as bootstrap

        engine = _db()
        try:
            before, after = bootstrap.upgrade_schema(engine, revision)
        finally:
            engine.dispose()
        click.echo(f"schema {before or 'empty'} -> {after}")

    @db.command("current")
    def db_current() -> None:
        """Print the database's revision and the newest revision of this version."""
        from engine import bootstrap_db as bootstrap

        engine = _db()
        try:
            current = bootstrap.current_revision(engine)
        finally:
            engine.dispose()
        click.echo(f"database {current or 'none'}  code {bootstrap.head_revision()}")

    @db.command("check")
    def db_check() -> None:
        """Compare the database with the models; one line per difference, exit 1 if any."""
        from engine import bootstrap_db as bootstrap

        engine = _db()
        try:
            drift = bootstrap.schema_drift(engine)
        finally:
            engine.dispose()
        for diff in drift:
            click.echo(f"error: schema differs: {_describe(diff)}", err=True)
        if drift:
            sys.exit(1)
        click.echo("schema matches the models")

    _register_harden(db)


def _register_harden(db) -> None:
    """`probidad db harden --app-role ROLE` (issue 11): the app's role loses UPDATE/DELETE on audit_log."""

    @db.command("harden")
    @click.option("--app-role", required=True, help="the PostgreSQL role the web and timer processes use")
    def db_harden(app_role: str) -> None:
        """Grant ROLE the tables it needs, but only SELECT and INSERT on the audit log (run as the owner)."""
        from engine import bootstrap_db as bootstrap

        engine = _db()
        try:
            statements = bootstrap.harden_audit(engine, app_role)
        finally:
            engine.dispose()
        for statement in statements:
            click.echo(statement)


def _describe(diff) -> str:
    """A short, content-free description of one Alembic difference."""
    if isinstance(diff, list):
        diff = diff[0]
    kind = diff[0]
    target = diff[1] if len(diff) > 1 else ""
    name = getattr(target, "name", None) or (diff[2] if len(diff) > 2 and isinstance(diff[2], str) else "")
    return f"{kind} {name}".strip()
