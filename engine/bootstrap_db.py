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
