"""Composition root for database operations (issue 9): migrations and schema checks for the CLI and ops.

Only bootstrap modules import engine.adapters; `probidad db ...` and engine.ops go through here.
"""

from __future__ import annotations

from engine.adapters import schema_ops  # noqa: F401 - registers the heartbeat table
from engine.adapters.db import (
    current_revision,
    head_revision,
    is_sqlite,
    make_engine,
    schema_drift,
    upgrade_schema,
)
from engine.adapters.sql_ops import heartbeats, record_sweep, timer_counts

__all__ = ["current_revision", "head_revision", "heartbeats", "is_sqlite", "make_engine", "record_sweep",
           "schema_drift", "timer_counts", "upgrade_schema"]


# -- issue 11: the application role may not rewrite history (SECURITY.md property 8) --------------
_ROLE = r"^[a-z_][a-z0-9_]{0,62}$"


def harden_audit(engine, app_role: str) -> list[str]:
    """Grant `app_role` what the app needs on PostgreSQL, minus UPDATE, DELETE and TRUNCATE on the
    audit log (append-only even for the application's own account). Returns the statements run.

    Run it as the owner of the tables (the role that ran the migrations); the web and timer
    processes then connect as `app_role`. SQLite has no roles: ConfigurationError.
    """
    import re

    from sqlalchemy import text

    from engine.errors import ConfigurationError, InvalidInput

    if is_sqlite(engine):
        raise ConfigurationError("db harden needs PostgreSQL: SQLite has no database roles")
    if not re.fullmatch(_ROLE, app_role or ""):
        raise InvalidInput("the application role must be a plain lower-case PostgreSQL name")
    role = f'"{app_role}"'
    statements = [
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {role}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM {role}",
        f"GRANT SELECT, INSERT ON audit_log TO {role}",
    ]
    with engine.begin() as conn:
        for statement in statements:
            # nosemgrep: probidad-sql-built-from-strings - GRANT has no bind parameters; role passed _ROLE
            conn.execute(text(statement))
    return statements
