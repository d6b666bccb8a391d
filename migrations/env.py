"""Alembic environment for probidad (issue 9).

The target metadata is `engine.adapters.schema.metadata` with every `schema_<feature>` module imported, so
autogenerate and the drift test see all tables. The URL comes from, in order: a connection handed over in
`config.attributes["connection"]` (probidad's own commands and tests), `-x url=...`, the
`sqlalchemy.url` option, then PROBIDAD_DATABASE_URL / the development default (engine.config.Settings).
"""

from __future__ import annotations

from alembic import context

from engine.adapters.db import load_all_schemas, make_engine
from engine.adapters.schema import metadata
from engine.config import Settings

load_all_schemas()
target_metadata = metadata
config = context.config


def _url() -> str:
    return (context.get_x_argument(as_dictionary=True).get("url")
            or config.get_main_option("sqlalchemy.url")
            or Settings.from_env().database)


def _configure(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite", compare_type=True)


def run_migrations_offline() -> None:
    """Emit SQL to stdout (`alembic upgrade head --sql`), for DBAs who apply scripts by hand."""
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True,
                      dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate over a connection: the one handed over, or a new one from the URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    db = make_engine(_url())
    try:
        with db.connect() as conn:
            _configure(conn)
            with context.begin_transaction():
                context.run_migrations()
            conn.commit()
    finally:
        db.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
