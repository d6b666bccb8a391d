"""The statements of a command's hot path, built once (issue 10).

Building a SQLAlchemy statement (`select(...).where(col == value)`, `.values(**row)`) costs more than
running it on SQLite. The statements every command runs are therefore built on first use with bind
parameters and reused with a parameter dict. Where-clause parameters are prefixed `b_` so that they
never collide with the column names an UPDATE takes from its parameters.
"""

from __future__ import annotations

import functools
from dataclasses import fields
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update

from engine.adapters import schema as t
from engine.adapters import schema_notify as n


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def values_of(record: Any, *, without: tuple[str, ...] = ()) -> dict[str, Any]:
    """A dataclass record as a flat dict of its fields (dataclasses.asdict deep-copies; this does not)."""
    return {name: getattr(record, name) for name in _field_names(type(record)) if name not in without}


@functools.cache
def case_by_id():
    """SELECT a case row by id."""
    return select(t.cases).where(t.cases.c.id == bindparam("b_id"))


@functools.cache
def case_insert():
    """INSERT a case row."""
    return insert(t.cases)


@functools.cache
def case_update():
    """UPDATE a case row if its version is still b_version (columns from the parameters)."""
    c = t.cases.c
    return update(t.cases).where(c.id == bindparam("b_id"), c.version == bindparam("b_version"))


@functools.cache
def state_by_case():
    """SELECT the sealed state of a case."""
    c = t.case_states.c
    return select(c.ciphertext, c.wrapped_key, c.kek_version).where(c.case_id == bindparam("b_case"))


@functools.cache
def state_update():
    """UPDATE the sealed state of a case (columns from the parameters)."""
    return update(t.case_states).where(t.case_states.c.case_id == bindparam("b_case"))


@functools.cache
def state_insert():
    """INSERT a sealed state."""
    return insert(t.case_states)


@functools.cache
def task_by_id():
    """SELECT one inbox row."""
    return select(t.tasks).where(t.tasks.c.id == bindparam("b_id"))


@functools.cache
def ready_tasks_of_case():
    """SELECT the ids and due instants of a case's ready tasks."""
    c = t.tasks.c
    return select(c.id, c.due_at).where(c.case_id == bindparam("b_case"), c.state == "ready")


@functools.cache
def task_insert():
    """INSERT an inbox row."""
    return insert(t.tasks)


@functools.cache
def task_close():
    """UPDATE one ready task to completed (state, completed_at, completed_by from the parameters)."""
    return update(t.tasks).where(t.tasks.c.id == bindparam("b_id"))


_TASK_FILTERS = {"b_case": "case_id", "b_tenant": "tenant_id", "b_state": "state", "b_process": "process_id"}


@functools.cache
def task_query(present: tuple[str, ...]):
    """SELECT tasks filtered by the parameters named in `present` (b_case, b_tenant, b_state, b_process,
    b_lanes), overdue first then by due date, with b_limit and b_offset."""
    c = t.tasks.c
    query = select(t.tasks)
    for name in present:
        if name == "b_lanes":
            query = query.where(c.lane.in_(bindparam("b_lanes", expanding=True)))
        else:
            query = query.where(c[_TASK_FILTERS[name]] == bindparam(name))
    query = query.order_by(c.due_at.is_(None), c.due_at, c.created_at, c.id)
    return query.limit(bindparam("b_limit")).offset(bindparam("b_offset"))


@functools.cache
def waiting_timers_of_case():
    """SELECT the task ids of a case's waiting timers."""
    c = t.timers.c
    return select(c.id, c.task_id).where(c.case_id == bindparam("b_case"), c.state == "waiting")


@functools.cache
def timer_cancel():
    """UPDATE one waiting timer to cancelled."""
    c = t.timers.c
    return (update(t.timers).where(c.id == bindparam("b_id"), c.state == "waiting")
            .values(state="cancelled", fired_at=None))


@functools.cache
def timer_insert_one():
    """INSERT one timer row (its id read from the cursor)."""
    return insert(t.timers)


@functools.cache
def timer_insert():
    """INSERT timer rows, returning their ids in parameter order."""
    return insert(t.timers).returning(t.timers.c.id, sort_by_parameter_order=True)


@functools.cache
def audit_last():
    """SELECT the newest audit entry."""
    return select(t.audit_log).order_by(t.audit_log.c.seq.desc()).limit(1)


@functools.cache
def audit_tail():
    """SELECT the sequence number and hash of the newest audit entry."""
    c = t.audit_log.c
    return select(c.seq, c.hash).order_by(c.seq.desc()).limit(1)


@functools.cache
def audit_insert():
    """INSERT an audit entry."""
    return insert(t.audit_log)


@functools.cache
def extra_days_of_tenant():
    """SELECT an entity's extra non-working days."""
    c = t.calendar_days.c
    return select(c.day).where(c.tenant_id == bindparam("b_tenant")).order_by(c.day)


@functools.cache
def overrides_of_tenant():
    """SELECT an entity's active SLA overrides."""
    c = t.policy_overrides.c
    return select(c.policy_id, c.length).where(c.tenant_id == bindparam("b_tenant"), c.active)


@functools.cache
def facts_of_case(table):
    """SELECT the (key, value) facts of a case from the case-facts table."""
    c = table.c
    return select(c.key, c.value).where(c.case_id == bindparam("b_case"))


@functools.cache
def fact_delete(table):
    """DELETE one (key, value) fact of a case."""
    c = table.c
    return delete(table).where(c.case_id == bindparam("b_case"), c.key == bindparam("b_key"),
                               c.value == bindparam("b_value"))


@functools.cache
def fact_insert(table):
    """INSERT facts of a case."""
    return insert(table)


@functools.cache
def reminder_insert():
    """INSERT planned reminder rows."""
    return insert(n.reminders)


@functools.cache
def reminders_cancel(column: str):
    """UPDATE the pending reminders whose `column` (timer_id or case_id) is b_key to cancelled."""
    c = n.reminders.c
    return update(n.reminders).where(c[column] == bindparam("b_key"), c.state == "pending").values(state="cancelled")
