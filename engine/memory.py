"""In-memory fakes of the repository and unit-of-work ports, for service tests without a database.

`MemoryStore` holds the committed state; each `MemoryUnitOfWork` works on a deep copy and publishes
it on commit only if nobody committed in between (optimistic, like the SQL adapter's
`UPDATE … WHERE version = ?`). Leaving without commit discards everything.
"""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass, field, replace
from datetime import date

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


@dataclass
class _Data:
    definitions: list[ProcessDefinition] = field(default_factory=list)
    cases: dict[str, Case] = field(default_factory=dict)
    states: dict[str, tuple[SealedBlob, str]] = field(default_factory=dict)
    tasks: dict[str, TaskRecord] = field(default_factory=dict)
    timers: dict[int, TimerRecord] = field(default_factory=dict)
    links: list[CaseLink] = field(default_factory=list)
    audit: list[AuditEntry] = field(default_factory=list)
    days: dict[str, dict[date, str]] = field(default_factory=dict)
    overrides: dict[str, dict[str, int]] = field(default_factory=dict)
    generation: int = 0


class MemoryStore:
    """The committed data shared by every unit of work built from it."""

    def __init__(self):
        self.data = _Data()
        self.lock = threading.Lock()

    def unit_of_work(self, readonly: bool = False) -> MemoryUnitOfWork:
        """A new unit of work (the `uow_factory` of a Runtime)."""
        return MemoryUnitOfWork(self, readonly)


class _Definitions:
    def __init__(self, d: _Data):
        self.d = d

    def add(self, definition):
        self.d.definitions.append(definition)

    def latest(self, process_id):
        found = [x for x in self.d.definitions if x.process_id == process_id]
        return max(found, key=lambda x: x.version) if found else None

    def get(self, process_id, version):
        return next((x for x in self.d.definitions if (x.process_id, x.version) == (process_id, version)), None)

    def by_sha(self, process_id, sha256):
        return next((x for x in self.d.definitions if (x.process_id, x.sha256) == (process_id, sha256)), None)

    def ref(self, process_id, version=None):
        found = self.latest(process_id) if version is None else self.get(process_id, version)
        return (found.version, found.sha256) if found else None

    def list_all(self):
        return sorted(self.d.definitions, key=lambda x: (x.process_id, x.version))


class _Cases:
    def __init__(self, d: _Data):
        self.d = d

    def add(self, case):
        self.d.cases[case.id] = replace(case)

    def get(self, case_id):
        case = self.d.cases.get(case_id)
        return replace(case) if case else None

    def save(self, case, expected_version):
        stored = self.d.cases.get(case.id)
        if stored is None or stored.version != expected_version:
            raise StaleCase(case.id)
        case.version = expected_version + 1
        self.d.cases[case.id] = replace(case)

    def list(self, process_id=None, tenant_id=None, status=None, limit=1000):
        found = [replace(c) for c in self.d.cases.values()
                 if (process_id is None or c.process_id == process_id)
                 and (tenant_id is None or c.tenant_id == tenant_id) and (status is None or c.status == status)]
        return sorted(found, key=lambda c: (c.created_at, c.id), reverse=True)[:limit]

    def delete_content_free(self, case_id):
        """Nothing to do: the case row stays as a tombstone."""


class _States:
    def __init__(self, d: _Data):
        self.d = d

    def put(self, case_id, blob, serializer_version):
        self.d.states[case_id] = (blob, serializer_version)

    def get(self, case_id):
        found = self.d.states.get(case_id)
        return found[0] if found else None

    def delete(self, case_id):
        self.d.states.pop(case_id, None)

    def all_wrapped(self):
        return sorted((k, v[0]) for k, v in self.d.states.items())

    def rewrap(self, case_id, wrapped_key, kek_version):
        blob, version = self.d.states[case_id]
        self.d.states[case_id] = (SealedBlob(blob.ciphertext, wrapped_key, kek_version), version)


class _Tasks:
    def __init__(self, d: _Data):
        self.d = d

    def sync(self, case_id, ready, now, actor):
        wanted = {t.id for t in ready}
        for task in self.d.tasks.values():
            if task.case_id == case_id and task.state == "ready" and task.id not in wanted:
                task.state, task.completed_at, task.completed_by = "completed", now, actor
        for task in ready:
            if task.id not in self.d.tasks:
                self.d.tasks[task.id] = replace(task)
            else:
                self.d.tasks[task.id].due_at = task.due_at

    def get(self, task_id):
        task = self.d.tasks.get(task_id)
        return replace(task) if task else None

    def query(self, *, case_id=None, lanes=None, tenant_id=None, state="ready", process_id=None, limit=100, offset=0):
        lanes = None if lanes is None else set(lanes)
        found = [replace(t) for t in self.d.tasks.values()
                 if (case_id is None or t.case_id == case_id) and (tenant_id is None or t.tenant_id == tenant_id)
                 and (state is None or t.state == state) and (process_id is None or t.process_id == process_id)
                 and (lanes is None or t.lane in lanes)]
        found.sort(key=lambda t: (t.due_at is None, t.due_at or t.created_at, t.created_at, t.id))
        return found[offset:offset + limit]

    def set_assignee(self, task_id, assignee):
        self.d.tasks[task_id].assignee = assignee


class _Timers:
    def __init__(self, d: _Data):
        self.d = d

    def sync(self, case_id, waiting, now):
        wanted = {t.task_id for t in waiting}
        existing = {t.task_id for t in self.d.timers.values() if t.case_id == case_id and t.state == "waiting"}
        changes = TimerChanges()
        for timer in self.d.timers.values():
            if timer.case_id == case_id and timer.state == "waiting" and timer.task_id not in wanted:
                timer.state = "cancelled"
                changes.cancelled.append(timer.id)
        for timer in waiting:
            if timer.task_id not in existing:
                new_id = max(self.d.timers, default=0) + 1
                self.d.timers[new_id] = replace(timer, id=new_id)
                changes.added.append(replace(timer, id=new_id))
        return changes

    def claim_due(self, now, limit):
        due = [replace(t) for t in self.d.timers.values() if t.state == "waiting" and t.due_at <= now]
        return sorted(due, key=lambda t: (t.due_at, t.id))[:limit]

    def lock_waiting(self, case_id, timer_ids):
        ids = set(timer_ids)
        return [replace(t) for t in sorted(self.d.timers.values(), key=lambda t: t.id)
                if t.case_id == case_id and t.id in ids and t.state == "waiting"]

    def mark_fired(self, timer_id, at):
        timer = self.d.timers[timer_id]
        if timer.state == "waiting":
            timer.state, timer.fired_at = "fired", at

    def for_case(self, case_id):
        return sorted((replace(t) for t in self.d.timers.values() if t.case_id == case_id),
                      key=lambda t: (t.due_at, t.id))

    def count(self, state="waiting", due_before=None):
        return sum(1 for t in self.d.timers.values()
                   if t.state == state and (due_before is None or t.due_at <= due_before))


class _Links:
    def __init__(self, d: _Data):
        self.d = d

    def add(self, link):
        self.d.links.append(link)

    def for_case(self, case_id):
        return [x for x in self.d.links if x.case_id == case_id]


class _Audit:
    def __init__(self, d: _Data):
        self.d = d

    def last(self):
        return self.d.audit[-1] if self.d.audit else None

    def tail(self):
        return (self.d.audit[-1].seq, self.d.audit[-1].hash) if self.d.audit else None

    def append(self, entry):
        self.d.audit.append(entry)

    def all(self):
        return list(self.d.audit)

    def for_case(self, case_id):
        return [e for e in self.d.audit if e.case_id == case_id]


class _Calendar:
    def __init__(self, d: _Data):
        self.d = d

    def extra_days(self, tenant_id):
        return sorted(self.d.days.get(tenant_id, {}))

    def add_extra_day(self, tenant_id, day, reason):
        self.d.days.setdefault(tenant_id, {})[day] = reason

    def remove_extra_day(self, tenant_id, day):
        return self.d.days.get(tenant_id, {}).pop(day, None) is not None

    def overrides(self, tenant_id):
        return dict(self.d.overrides.get(tenant_id, {}))

    def set_override(self, tenant_id, policy_id, length, basis, actor):
        self.d.overrides.setdefault(tenant_id, {})[policy_id] = length


class MemoryUnitOfWork:
    """A unit of work over a private copy of the store, published on commit."""

    def __init__(self, store: MemoryStore, readonly: bool = False):
        self.store = store
        self.readonly = readonly

    def __enter__(self) -> MemoryUnitOfWork:
        with self.store.lock:
            self._data = copy.deepcopy(self.store.data)
        self._base = self._data.generation
        d = self._data
        self.definitions, self.cases, self.states = _Definitions(d), _Cases(d), _States(d)
        self.tasks, self.timers, self.links = _Tasks(d), _Timers(d), _Links(d)
        self.audit, self.calendar = _Audit(d), _Calendar(d)
        return self

    def __exit__(self, *exc) -> None:
        self._data = None

    def commit(self) -> None:
        """Publish the changes; a concurrent commit since this unit of work began makes it stale."""
        if self.readonly:
            return
        with self.store.lock:
            if self.store.data.generation != self._base:
                changed = [c for c, case in self._data.cases.items()
                           if self.store.data.cases.get(c) and self.store.data.cases[c].version >= case.version]
                raise StaleCase(changed[0] if changed else "?")
            self._data.generation += 1
            self.store.data = self._data

    def rollback(self) -> None:
        """Discard the changes."""
        self._data = None
