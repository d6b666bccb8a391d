"""Database engines: SQLite (embedded default, WAL, writers serialized with BEGIN IMMEDIATE) and
PostgreSQL (psycopg 3)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from engine.adapters.schema import metadata


def make_engine(url: str) -> Engine:
    """Create a SQLAlchemy engine for the URL, tuned per backend."""
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


def _sqlite_engine(url: str) -> Engine:
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # pragma: no cover - exercised by every test
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        # Checkpoint every ~40 MB of WAL instead of 4 MB: pages that every command rewrites (the case, the
        # audit tail, index roots) are copied back once per checkpoint, not once per 4 MB (issue 10).
        cursor.execute("PRAGMA wal_autocheckpoint=10000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # pragma: no cover - exercised by every test
        readonly = conn.get_execution_options().get("probidad_readonly", False)
        begin = "BEGIN" if readonly else "BEGIN IMMEDIATE"
        try:  # straight to the driver: this runs before every command (issue 10)
            conn.connection.driver_connection.execute(begin)
        except conn.dialect.dbapi.Error as err:  # e.g. "database is locked" after the busy timeout
            raise DBAPIError.instance(begin, (), err, conn.dialect.dbapi.Error, dialect=conn.dialect) from err

    return engine


def create_schema(engine: Engine) -> None:
    """Make the schema ready: SQLite creates missing tables (development and tests); PostgreSQL runs the
    Alembic migrations on an empty database and refuses a database behind the code (see ensure_migrated)."""
    if is_sqlite(engine):
        metadata.create_all(engine)
        return
    ensure_migrated(engine)


def is_sqlite(engine: Engine) -> bool:
    """True for the embedded backend."""
    return engine.dialect.name == "sqlite"


def aware(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; every instant we store is UTC."""
    if value is None:
        return None
    if value.tzinfo is not None:
        return value.astimezone(UTC)
    return value.replace(tzinfo=UTC)


# -- Alembic (issue 9) ---------------------------------------------------------------------------

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"
_MIGRATION_LOCK = 0x70726F62  # "prob": serializes concurrent migrators on PostgreSQL


def load_all_schemas() -> None:
    """Import every `engine/adapters/schema_<feature>.py` so that `metadata` holds all tables."""
    import importlib
    import pkgutil

    import engine.adapters as package

    for module in pkgutil.iter_modules(package.__path__):
        if module.name.startswith("schema_"):
            # nosemgrep: probidad-dynamic-code - pkgutil's list of engine/adapters/schema_*
            importlib.import_module(f"{package.__name__}.{module.name}")


def alembic_config(connection=None):
    """An Alembic Config for migrations/ (no alembic.ini needed), optionally bound to a connection."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    """The newest revision in migrations/."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The revision a database is at (None: not managed by Alembic)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _user_tables(conn) -> set[str]:
    from sqlalchemy import inspect

    return set(inspect(conn).get_table_names()) - {"alembic_version"}


def schema_drift(engine: Engine) -> list:
    """Differences between the database and the models (Alembic compare_metadata); empty when equal."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    load_all_schemas()
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, metadata)


def _with_lock(engine: Engine, action):
    """Run action(conn) in one transaction, holding the migration lock on PostgreSQL."""
    with engine.begin() as conn:
        if not is_sqlite(engine):
            # nosemgrep: probidad-sql-built-from-strings - _MIGRATION_LOCK is an integer constant
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
        return action(conn)


def upgrade_schema(engine: Engine, revision: str = "head") -> tuple[str | None, str | None]:
    """Run the migrations up to `revision`; return (before, after).

    A database made by create_schema (SQLite development) that matches the head exactly is adopted
    (stamped) first, so `probidad db upgrade` also works on it.
    """
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    load_all_schemas()

    def action(conn):
        before = MigrationContext.configure(conn).get_current_revision()
        if before is None and _user_tables(conn):
            _adopt(conn)
        command.upgrade(alembic_config(conn), revision)
        return before, MigrationContext.configure(conn).get_current_revision()

    return _with_lock(engine, action)


def _adopt(conn) -> None:
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from engine.errors import ConfigurationError

    if compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata):
        raise ConfigurationError("the database has tables but no migration history, and they differ from "
                                 "this version's schema: restore a backup or migrate it by hand")
    command.stamp(alembic_config(conn), "head")


def stamp_head(engine: Engine) -> None:
    """Record that the database is at the head revision (it was created from the models)."""
    from alembic import command

    with engine.begin() as conn:
        command.stamp(alembic_config(conn), "head")


def ensure_migrated(engine: Engine) -> None:
    """PostgreSQL at start-up: migrate an empty database; accept one at the head; refuse anything else.

    Upgrading a database that holds data is an explicit step (`probidad db upgrade`, docs/operations.md),
    never a side effect of starting a web or timer worker.
    """
    from alembic.runtime.migration import MigrationContext

    from engine.errors import ConfigurationError

    head = head_revision()
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
        empty = not _user_tables(conn)
    if current == head:
        return
    if current is None and empty:
        upgrade_schema(engine)
        return
    raise ConfigurationError(f"database schema at revision {current or 'none'}, this version needs {head}: "
                             "run 'probidad db upgrade'")
