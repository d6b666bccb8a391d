"""Commands: what a caller asks the engine to do. Plain data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Deploy:
    """Deploy a BPMN document (new version unless the same sha256 is deployed)."""

    xml: bytes
    filename: str
    actor: str


@dataclass(frozen=True)
class StartCase:
    """Start a case of the newest version of a process."""

    process_id: str
    actor: str
    tenant_id: str
    data: dict[str, Any] = field(default_factory=dict)
    case_id: str | None = None


@dataclass(frozen=True)
class CompleteTask:
    """Complete a ready user task; `expected_version` guards against a changed case."""

    task_id: str
    actor: str
    data: dict[str, Any] = field(default_factory=dict)
    expected_version: int | None = None


@dataclass(frozen=True)
class FireDueTimers:
    """Fire every timer due at `now` (at most `limit` per claim)."""

    now: datetime
    limit: int = 200
