"""Plain records the engine stores and returns. No IO, no framework."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class ProcessDefinition:
    """One deployed version of a BPMN process."""

    process_id: str
    version: int
    sha256: str
    xml: bytes
    filename: str
    deployed_by: str
    deployed_at: datetime
    name: str = ""


@dataclass
class Case:
    """Plaintext case metadata: ids, dates, status. Content never sits here (SECURITY.md 1)."""

    id: str
    tenant_id: str
    process_id: str
    process_version: int
    status: str
    created_at: datetime
    updated_at: datetime
    version: int = 1
    outcome: str | None = None
    closed_at: datetime | None = None
    next_due_at: datetime | None = None
    stage: str | None = None


@dataclass
class TaskRecord:
    """The inbox projection of a user task."""

    id: str
    case_id: str
    tenant_id: str
    process_id: str
    name: str
    title: str
    lane: str | None
    form_id: str
    state: str
    created_at: datetime
    due_at: datetime | None = None
    assignee: str | None = None
    completed_at: datetime | None = None
    completed_by: str | None = None


@dataclass
class TimerRecord:
    """A waiting BPMN timer, written in the same transaction as the step that started it."""

    case_id: str
    tenant_id: str
    task_id: str
    name: str
    policy: str | None
    due_at: datetime
    started_at: datetime
    state: str = "waiting"
    fired_at: datetime | None = None
    id: int | None = None
    attached_to: str | None = None


@dataclass
class TimerChanges:
    """What syncing a case's timer rows did: the rows it added (with their ids) and the ids it cancelled."""

    added: list[TimerRecord] = field(default_factory=list)
    cancelled: list[int] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.cancelled)


@dataclass
class CaseLink:
    """A link between two cases (e.g. a complaint routed to the ST-PAD starts a PAD)."""

    case_id: str
    other_case_id: str
    relation: str
    created_at: datetime


@dataclass
class AuditEntry:
    """One link of the hash-chained audit log. Details hold ids only, never content."""

    seq: int
    at: datetime
    actor: str
    action: str
    case_id: str | None
    details: dict[str, Any]
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class SealedBlob:
    """A sealed blob and the wrapped data key that opens it."""

    ciphertext: bytes
    wrapped_key: bytes
    kek_version: int


@dataclass(frozen=True)
class DeadlineView:
    """A running or finished deadline as shown to people."""

    policy: str | None
    name: str
    title: str
    due_at: datetime
    state: str
    task_name: str | None = None
    business_days_left: int | None = None


@dataclass(frozen=True)
class LinkView:
    """A case link as shown on a case."""

    relation: str
    case_id: str
    process_id: str


@dataclass(frozen=True)
class TaskView:
    """A task as shown in the inbox and the CLI."""

    id: str
    case_id: str
    process_id: str
    name: str
    title: str
    lane: str | None
    form_id: str
    due_at: datetime | None
    state: str
    assignee: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (the CLI contract for `task list --json`)."""
        return {
            "id": self.id, "case_id": self.case_id, "process_id": self.process_id, "name": self.name,
            "title": self.title, "lane": self.lane, "form_id": self.form_id,
            "due_at": self.due_at.isoformat() if self.due_at else None, "state": self.state,
            "assignee": self.assignee,
        }


@dataclass(frozen=True)
class CaseView:
    """A case as shown to authorised people: metadata, workflow variables, deadlines, links."""

    id: str
    tenant_id: str
    process_id: str
    process_version: int
    version: int
    status: str
    outcome: str | None
    created_at: datetime
    data: dict[str, Any] = field(default_factory=dict)
    deadlines: tuple[DeadlineView, ...] = ()
    links: tuple[LinkView, ...] = ()
    tasks: tuple[TaskView, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (the CLI contract for `case show --json`)."""
        return {
            "id": self.id, "tenant_id": self.tenant_id, "process_id": self.process_id,
            "process_version": self.process_version, "version": self.version, "status": self.status,
            "outcome": self.outcome, "created_at": self.created_at.isoformat(), "data": self.data,
            "deadlines": [
                {"policy": d.policy, "name": d.name, "title": d.title, "due_at": d.due_at.isoformat(),
                 "state": d.state, "task_name": d.task_name, "business_days_left": d.business_days_left}
                for d in self.deadlines
            ],
            "links": [{"relation": li.relation, "case_id": li.case_id, "process_id": li.process_id}
                      for li in self.links],
            "tasks": [t.as_dict() for t in self.tasks],
        }
