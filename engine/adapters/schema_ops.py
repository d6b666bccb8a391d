"""Tables of operations (issue 9): one heartbeat row per timer worker, for monitoring.

No content: a worker name (host:pid), instants, durations and counts.
"""

from __future__ import annotations

from sqlalchemy import Column, Float, Integer, String, Table

from engine.adapters.schema import TS, metadata

worker_heartbeats = Table(
    "worker_heartbeats", metadata,
    Column("worker", String(200), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("started_at", TS, nullable=False),
    Column("last_sweep_at", TS, nullable=False),
    Column("last_sweep_seconds", Float, nullable=False),
    Column("last_fired", Integer, nullable=False),
    Column("total_fired", Integer, nullable=False),
)
