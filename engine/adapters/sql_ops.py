"""SQL for operations (issue 9): worker heartbeats and the metrics monitoring reads."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Engine

from engine.adapters import schema as t
from engine.adapters.db import aware
from engine.adapters.schema_ops import worker_heartbeats as hb


def record_sweep(db: Engine, worker: str, at: datetime, seconds: float, fired: int) -> None:
    """Upsert this worker's heartbeat after a sweep (its own short transaction)."""
    with db.begin() as conn:
        result = conn.execute(update(hb).where(hb.c.worker == worker).values(
            last_sweep_at=at, last_sweep_seconds=seconds, last_fired=fired, total_fired=hb.c.total_fired + fired))
        if result.rowcount == 0:
            conn.execute(insert(hb).values(worker=worker, kind="timers", started_at=at, last_sweep_at=at,
                                           last_sweep_seconds=seconds, last_fired=fired, total_fired=fired))


def timer_counts(db: Engine, now: datetime, lag_before: datetime) -> dict:
    """Waiting timers: all, due now, and overdue (due before lag_before: the sweep is behind)."""
    c = t.timers.c
    waiting = (c.state == "waiting")
    with db.connect() as conn:
        row = conn.execute(select(
            func.count().filter(waiting),
            func.count().filter(waiting, c.due_at <= now),
            func.count().filter(waiting, c.due_at <= lag_before),
            func.min(c.due_at).filter(waiting),
        ).select_from(t.timers)).one()
    return {"timers_waiting": int(row[0]), "timers_due": int(row[1]), "timers_overdue": int(row[2]),
            "oldest_due_at": aware(row[3])}


def heartbeats(db: Engine) -> list[dict]:
    """Every timer worker's last heartbeat, newest first."""
    with db.connect() as conn:
        rows = conn.execute(select(hb).order_by(hb.c.last_sweep_at.desc())).all()
    return [{k: aware(v) if isinstance(v, datetime) else v for k, v in r._mapping.items()} for r in rows]
