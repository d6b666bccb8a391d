"""SQL implementations of the repositories, on one SQLAlchemy connection per unit of work."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, replace
from datetime import datetime

from sqlalchemy import bindparam, delete, func, insert, select, text, union_all, update
from sqlalchemy.engine import Connection

from engine.adapters import schema as t
from engine.adapters import sql_statements as q
from engine.adapters.db import aware
from engine.adapters.sql_fast import run
from engine.domain.model import (
    AuditEntry,
    Case,
    CaseLink,
    ProcessDefinition,
    SealedBlob,
    TaskRecord,
    TimerChanges,
    TimerRecord,
)
from engine.errors import StaleCase


def _row_dict(row) -> dict:
    data = dict(row._mapping)
    return {k: aware(v) if isinstance(v, datetime) else v for k, v in data.items()}


@functools.cache
def _q_definition_ref(latest: bool):
    c = t.process_definitions.c
    query = select(c.version, c.sha256).where(c.process_id == bindparam("pid"))
    if not latest:
        query = query.where(c.version == bindparam("ver"))
    return query.order_by(c.version.desc()).limit(1)


class SqlDefinitions:
    """Deployed process versions."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def add(self, definition: ProcessDefinition) -> None:
        """Store a new version."""
        self.conn.execute(insert(t.process_definitions).values(**asdict(definition)))

    def _one(self, *where) -> ProcessDefinition | None:
        query = select(t.process_definitions).where(*where).order_by(t.process_definitions.c.version.desc())
        row = self.conn.execute(query.limit(1)).first()
        if row is None:
            return None
        data = _row_dict(row)
        data.pop("id")
        return ProcessDefinition(**data)

    def latest(self, process_id: str) -> ProcessDefinition | None:
        """The newest version of a process."""
        return self._one(t.process_definitions.c.process_id == process_id)

    def get(self, process_id: str, version: int) -> ProcessDefinition | None:
        """One version of a process."""
        c = t.process_definitions.c
        return self._one(c.process_id == process_id, c.version == version)

    def ref(self, process_id: str, version: int | None = None) -> tuple[int, str] | None:
        """(version, sha256) of a deployed version (the newest when version is None), without its XML."""
        params = {"pid": process_id} if version is None else {"pid": process_id, "ver": version}
        row = run(self.conn, _q_definition_ref(version is None), params).first()
        return (row.version, row.sha256) if row else None

    def by_sha(self, process_id: str, sha256: str) -> ProcessDefinition | None:
        """The version of a process with this sha256, if deployed."""
        c = t.process_definitions.c
        return self._one(c.process_id == process_id, c.sha256 == sha256)

    def list_all(self) -> list[ProcessDefinition]:
        """Every deployed version, by process and version."""
        c = t.process_definitions.c
        rows = self.conn.execute(select(t.process_definitions).order_by(c.process_id, c.version)).all()
        result = []
        for row in rows:
            data = _row_dict(row)
            data.pop("id")
            result.append(ProcessDefinition(**data))
        return result


class SqlCases:
    """Case metadata with optimistic locking."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def add(self, case: Case) -> None:
        """Insert a new case."""
        run(self.conn, q.case_insert(), q.values_of(case))

    def get(self, case_id: str) -> Case | None:
        """Load a case or None."""
        row = run(self.conn, q.case_by_id(), {"b_id": case_id}).first()
        return Case(**_row_dict(row)) if row else None

    def save(self, case: Case, expected_version: int) -> None:
        """Write the case if nobody changed it since `expected_version`; bump its version."""
        values = q.values_of(case, without=("id",))
        values.update(version=expected_version + 1, b_id=case.id, b_version=expected_version)
        result = run(self.conn, q.case_update(), values)
        if result.rowcount != 1:
            raise StaleCase(case.id)
        case.version = expected_version + 1

    def list(self, process_id=None, tenant_id=None, status=None, limit=1000) -> list[Case]:
        """Cases filtered by process, tenant and status, newest first."""
        c = t.cases.c
        query = select(t.cases)
        for column, value in ((c.process_id, process_id), (c.tenant_id, tenant_id), (c.status, status)):
            if value is not None:
                query = query.where(column == value)
        rows = self.conn.execute(query.order_by(c.created_at.desc(), c.id).limit(limit)).all()
        return [Case(**_row_dict(r)) for r in rows]

    def delete_content_free(self, case_id: str) -> None:
        """Not used for SQL: shredding keeps the case row as a tombstone."""


class SqlStates:
    """Sealed workflow state."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def put(self, case_id: str, blob: SealedBlob, serializer_version: str) -> None:
        """Insert or replace the sealed state of a case."""
        values = {"ciphertext": blob.ciphertext, "wrapped_key": blob.wrapped_key,
                  "kek_version": blob.kek_version, "serializer_version": serializer_version}
        result = run(self.conn, q.state_update(), {**values, "b_case": case_id})
        if result.rowcount == 0:
            run(self.conn, q.state_insert(), {**values, "case_id": case_id})

    def get(self, case_id: str) -> SealedBlob | None:
        """The sealed state of a case, or None."""
        row = run(self.conn, q.state_by_case(), {"b_case": case_id}).first()
        if row is None:
            return None
        return SealedBlob(row.ciphertext, row.wrapped_key, row.kek_version)

    def delete(self, case_id: str) -> None:
        """Remove the sealed state (crypto-shredding)."""
        self.conn.execute(delete(t.case_states).where(t.case_states.c.case_id == case_id))

    def all_wrapped(self) -> Iterable[tuple[str, SealedBlob]]:
        """Every case's wrapped key, for rotation."""
        rows = self.conn.execute(select(t.case_states).order_by(t.case_states.c.case_id)).all()
        return [(r.case_id, SealedBlob(r.ciphertext, r.wrapped_key, r.kek_version)) for r in rows]

    def rewrap(self, case_id: str, wrapped_key: bytes, kek_version: int) -> None:
        """Replace a wrapped key; the ciphertext stays byte-for-byte identical."""
        self.conn.execute(update(t.case_states).where(t.case_states.c.case_id == case_id)
                          .values(wrapped_key=wrapped_key, kek_version=kek_version))


class SqlTasks:
    """The inbox projection."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def sync(self, case_id: str, ready: Sequence[TaskRecord], now: datetime, actor: str | None) -> None:
        """Make the ready tasks of a case match the workflow: insert new ones, close vanished ones."""
        existing = {r.id: r for r in run(self.conn, q.ready_tasks_of_case(), {"b_case": case_id}).all()}
        wanted = {task.id for task in ready}
        gone = [{"b_id": tid, "state": "completed", "completed_at": now, "completed_by": actor}
                for tid in existing if tid not in wanted]
        if gone:
            run(self.conn, q.task_close(), gone)
        added = [q.values_of(task) for task in ready if task.id not in existing]
        if added:
            run(self.conn, q.task_insert(), added)
        for task in ready:
            if task.id in existing and aware(existing[task.id].due_at) != task.due_at:
                run(self.conn, q.task_close(), {"b_id": task.id, "due_at": task.due_at})

    def get(self, task_id: str) -> TaskRecord | None:
        """One task or None."""
        row = run(self.conn, q.task_by_id(), {"b_id": task_id}).first()
        return TaskRecord(**_row_dict(row)) if row else None

    def query(self, *, case_id=None, lanes=None, tenant_id=None, state="ready", process_id=None,
              limit=100, offset=0) -> list[TaskRecord]:
        """Tasks for the inbox: overdue first, then by due date (no due date last)."""
        if lanes is not None and case_id is None:
            c = t.tasks.c
            conditions = [column == value for column, value in ((c.tenant_id, tenant_id), (c.state, state),
                                                                (c.process_id, process_id)) if value is not None]
            return self._inbox(conditions, list(lanes), limit, offset)
        filters = {"b_case": case_id, "b_tenant": tenant_id, "b_state": state, "b_process": process_id,
                   "b_lanes": None if lanes is None else list(lanes)}
        params = {k: v for k, v in filters.items() if v is not None}
        params.update(b_limit=limit, b_offset=offset)
        query = q.task_query(tuple(k for k in filters if k in params))
        return [TaskRecord(**_row_dict(r)) for r in run(self.conn, query, params).all()]

    def _inbox(self, conditions: list, lanes: list[str], limit: int, offset: int) -> list[TaskRecord]:
        """The inbox without sorting the whole lane (issue 10): per lane, the first limit+offset rows with a
        due date and those without, each read in the order of ix_tasks_inbox; then only their union (at
        most 2 x lanes x (limit+offset) rows) is sorted. Same order as `query`, cost independent of size."""
        if not lanes:
            return []
        c, wanted = t.tasks.c, limit + offset
        parts = []
        for lane in lanes:
            base = select(t.tasks).where(*conditions, c.lane == lane)
            parts.append(base.where(c.due_at.is_not(None)).order_by(c.due_at, c.created_at, c.id).limit(wanted))
            parts.append(base.where(c.due_at.is_(None)).order_by(c.created_at, c.id).limit(wanted))
        merged = union_all(*[part.subquery().select() for part in parts]).subquery()
        m = merged.c
        query = select(merged).order_by(m.due_at.is_(None), m.due_at, m.created_at, m.id).limit(limit).offset(offset)
        return [TaskRecord(**_row_dict(r)) for r in self.conn.execute(query).all()]

    def set_assignee(self, task_id: str, assignee: str | None) -> None:
        """Claim, release or reassign a task."""
        self.conn.execute(update(t.tasks).where(t.tasks.c.id == task_id).values(assignee=assignee))


class SqlTimers:
    """The timer table."""

    def __init__(self, conn: Connection, skip_locked: bool):
        self.conn = conn
        self.skip_locked = skip_locked

    def sync(self, case_id: str, waiting: Sequence[TimerRecord], now: datetime) -> TimerChanges:
        """Record newly waiting timers; cancel rows whose BPMN timer no longer waits. Returns the rows
        added (with their ids) and the ids cancelled."""
        existing = {r.task_id: r.id for r in run(self.conn, q.waiting_timers_of_case(), {"b_case": case_id})}
        wanted = {timer.task_id for timer in waiting}
        changes = TimerChanges(cancelled=sorted(i for task_id, i in existing.items() if task_id not in wanted))
        if changes.cancelled:
            run(self.conn, q.timer_cancel(), [{"b_id": i} for i in changes.cancelled])
        new = [timer for timer in waiting if timer.task_id not in existing]
        if len(new) == 1 and self.conn.dialect.name == "sqlite":  # the usual case: one new deadline
            result = run(self.conn, q.timer_insert_one(), q.values_of(new[0], without=("id",)))
            changes.added = [replace(new[0], id=result.lastrowid)]
        elif new:
            rows = self.conn.execute(q.timer_insert(), [q.values_of(timer, without=("id",)) for timer in new])
            changes.added = [replace(timer, id=row.id) for timer, row in zip(new, rows.all(), strict=True)]
        return changes

    def claim_due(self, now: datetime, limit: int) -> list[TimerRecord]:
        """Due rows, oldest first; on PostgreSQL locked with FOR UPDATE SKIP LOCKED."""
        c = t.timers.c
        query = select(t.timers).where(c.state == "waiting", c.due_at <= now).order_by(c.due_at, c.id).limit(limit)
        if self.skip_locked:
            query = query.with_for_update(skip_locked=True)
        return [TimerRecord(**_row_dict(r)) for r in self.conn.execute(query).all()]

    def lock_waiting(self, case_id: str, timer_ids: Sequence[int]) -> list[TimerRecord]:
        """The still-waiting rows among timer_ids, locked until commit.

        On PostgreSQL, FOR UPDATE SKIP LOCKED leaves out rows another timer worker is firing, so workers
        sharing one due batch never queue behind each other nor fire a timer twice (issue 9). The case row
        is locked first, in the order an officer's completion takes them (cases, then timers): taking them
        the other way round deadlocks. A case someone else holds yields nothing; the next sweep retries it.
        """
        c = t.timers.c
        query = select(t.timers).where(c.case_id == case_id, c.id.in_(list(timer_ids)), c.state == "waiting")
        if self.skip_locked:
            held = self.conn.execute(select(t.cases.c.id).where(t.cases.c.id == case_id)
                                     .with_for_update(skip_locked=True)).first()
            if held is None:
                return []
            query = query.with_for_update(skip_locked=True)
        return [TimerRecord(**_row_dict(r)) for r in self.conn.execute(query.order_by(c.id)).all()]

    def mark_fired(self, timer_id: int, at: datetime) -> None:
        """Record that a timer fired (in the same transaction as the workflow step)."""
        self.conn.execute(update(t.timers).where(t.timers.c.id == timer_id, t.timers.c.state == "waiting")
                          .values(state="fired", fired_at=at))

    def for_case(self, case_id: str) -> list[TimerRecord]:
        """Every timer of a case, by due date."""
        c = t.timers.c
        rows = self.conn.execute(select(t.timers).where(c.case_id == case_id).order_by(c.due_at, c.id)).all()
        return [TimerRecord(**_row_dict(r)) for r in rows]

    def count(self, state: str = "waiting", due_before: datetime | None = None) -> int:
        """How many timers are in a state (and due before an instant)."""
        c = t.timers.c
        query = select(func.count()).select_from(t.timers).where(c.state == state)
        if due_before is not None:
            query = query.where(c.due_at <= due_before)
        return int(self.conn.execute(query).scalar_one())


class SqlLinks:
    """Links between cases."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def add(self, link: CaseLink) -> None:
        """Store a link."""
        self.conn.execute(insert(t.case_links).values(**asdict(link)))

    def for_case(self, case_id: str) -> list[CaseLink]:
        """Links from a case."""
        c = t.case_links.c
        rows = self.conn.execute(select(t.case_links).where(c.case_id == case_id).order_by(c.id)).all()
        result = []
        for row in rows:
            data = _row_dict(row)
            data.pop("id")
            result.append(CaseLink(**data))
        return result


AUDIT_LOCK_KEY = 0x61756474  # "audt": the PostgreSQL advisory lock guarding the audit chain's tail


class SqlAudit:
    """The append-only audit log."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def last(self) -> AuditEntry | None:
        """The newest entry.

        Appending computes seq = last + 1 and chains to the last hash, so on PostgreSQL concurrent
        writers (several web and timer workers) are serialized here with a transaction-scoped advisory
        lock, held until commit or rollback. SQLite needs none: BEGIN IMMEDIATE already serializes writers.
        """
        if self.conn.dialect.name == "postgresql":
            self.conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK_KEY})
        row = run(self.conn, q.audit_last(), {}).first()
        return self._entry(row) if row else None

    def tail(self) -> tuple[int, str] | None:
        """(seq, hash) of the newest entry: what appending chains to (locked like `last`)."""
        if self.conn.dialect.name == "postgresql":
            self.conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK_KEY})
        row = run(self.conn, q.audit_tail(), {}).first()
        return (row.seq, row.hash) if row else None

    def append(self, entry: AuditEntry) -> None:
        """Append one entry (the primary key on seq refuses a concurrent duplicate)."""
        values = q.values_of(entry)
        values["details"] = json.dumps(entry.details, sort_keys=True, default=str)
        run(self.conn, q.audit_insert(), values)

    def all(self) -> Iterable[AuditEntry]:
        """Every entry in sequence order."""
        for row in self.conn.execute(select(t.audit_log).order_by(t.audit_log.c.seq)).all():
            yield self._entry(row)

    def for_case(self, case_id: str) -> list[AuditEntry]:
        """The entries of one case."""
        c = t.audit_log.c
        return [self._entry(r) for r in self.conn.execute(
            select(t.audit_log).where(c.case_id == case_id).order_by(c.seq)).all()]

    @staticmethod
    def _entry(row) -> AuditEntry:
        data = _row_dict(row)
        data["details"] = json.loads(data["details"])
        return AuditEntry(**data)
