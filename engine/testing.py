"""Fakes for tests: a frozen clock, in-memory keyrings, a capturing notifier, and make_engine."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from engine.config import Settings
from keys.keyring import MemoryKeyRing

__all__ = ["CapturingNotifier", "FrozenClock", "MemoryKeyRing", "make_engine"]


class FrozenClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, start: datetime | None = None):
        start = start or datetime(2025, 3, 3, 15, 0, tzinfo=UTC)
        if start.tzinfo is None:
            raise ValueError("FrozenClock needs an aware datetime")
        self.current = start.astimezone(UTC)

    def now(self) -> datetime:
        """The frozen instant."""
        return self.current

    def advance(self, delta: timedelta | None = None, **kwargs) -> datetime:
        """Move forward by a timedelta (or timedelta keyword arguments)."""
        self.current = (self.current + (delta or timedelta(**kwargs))).astimezone(UTC)
        return self.current

    def set(self, moment: datetime) -> None:
        """Jump to an instant."""
        self.current = moment.astimezone(UTC)


class CapturingNotifier:
    """Records e-mails instead of sending them."""

    def __init__(self):
        self.sent: list[tuple[str, str, str]] = []

    def send(self, to: str, subject: str, body: str) -> None:
        """Capture one message."""
        self.sent.append((to, subject, body))


def make_engine(tmp_path: Path, start: datetime | None = None, definitions: list | None = None,
                deploy: list[Path] | None = None, database_url: str | None = None):
    """An Engine on a temporary SQLite file with in-memory keys and a frozen clock.

    Deploys the bundled BPMN files (or `deploy`). Returns (engine, clock).
    """
    from engine import bootstrap

    clock = FrozenClock(start)
    # tests/pg.py runs integration tests on PostgreSQL too, through PROBIDAD_TEST_DATABASE_URL.
    database_url = database_url or os.environ.get("PROBIDAD_TEST_DATABASE_URL")
    settings = Settings(instance=Path(tmp_path), database_url=database_url or f"sqlite:///{Path(tmp_path) / 't.db'}")
    engine = bootstrap.build(settings, clock=clock, workflow_keyring=MemoryKeyRing("workflow"),
                             definitions=definitions)
    files = deploy if deploy is not None else bootstrap.bundled_bpmn_files()
    if files:
        engine.deploy_files(files, actor="test")
    return engine, clock
