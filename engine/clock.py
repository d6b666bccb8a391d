"""Time comes from a Clock. Datetimes are timezone-aware: stored in UTC, shown in America/Lima."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

LIMA = ZoneInfo("America/Lima")


class Clock(Protocol):
    """Anything that tells the current instant (timezone-aware, UTC)."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real clock. Tests move it with time-machine, never with sleep."""

    def now(self) -> datetime:
        """Return the current instant in UTC."""
        return datetime.now(UTC)


def to_lima(moment: datetime) -> datetime:
    """Express an aware instant in Peru's time zone (UTC-5, no daylight saving)."""
    return moment.astimezone(LIMA)


def parse_instant(text: str) -> datetime:
    """Parse an ISO-8601 instant; a naive value is taken as America/Lima local time."""
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=LIMA)
    return value.astimezone(UTC)
