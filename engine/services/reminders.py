"""Reminders and escalation for running deadlines (issue 5, point 4; LPAG 143).

Scheme, per waiting timer with an SLA policy (see docs/timers.md):
- ``before``: one per ``policy.reminders`` entry, at 08:00 Lima (``reminder_instants``), to level 0
  of the chain (the assignee); only those not earlier than the timer's start.
- ``due``: at the due instant itself (the end of the last day, LPAG 140.1), to level 0.
- ``escalation``: one per level i of ``policy.escalation`` (assignee -> superior -> office_head ->
  entity_head), at 08:00 Lima on the (i+1)-th business day after the last day.

The rows are planned once, in the same transaction that writes the timer row (a store hook), so
the sweep never scans open cases: ``SendDueReminders`` claims rows with ``state='pending' AND
at <= now`` through an index, O(due). Each row is handled in its own transaction that first flips
it from pending (a conditional update, so two workers cannot both send it) and writes the in-app
notices (unique dedupe keys) and the e-mail outbox rows: a notice is created exactly once.

Relevance is checked when the row comes due: nothing for a closed or shredded case, nothing for a
cancelled timer (its task was completed). A ``before`` row needs the timer still waiting. ``due``
and ``escalation`` need the obligation still open: the timer still waiting, or fired while the task
it is attached to is still ready (a non-interrupting boundary timer). Intermediate timers are
waiting periods, not obligations: once fired they owe nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from engine.clock import LIMA
from engine.domain.model import TimerRecord
from engine.domain.sla import REMINDER_HOUR, SlaPolicy, lima_date, reminder_instants
from engine.errors import ProbidadError
from engine.ports import UnitOfWork
from engine.services import audit
from engine.services.context import Runtime
from engine.services.notify import Recipient, ReminderRecord

log = logging.getLogger("probidad.reminders")
SYSTEM_ACTOR = "system:reminders"
CLOSED = ("closed", "shredded")


@dataclass(frozen=True)
class SendDueReminders:
    """Send every reminder due at `now` (at most `limit` per claim)."""

    now: datetime
    limit: int = 200


@dataclass
class ReminderResult:
    """What one reminder sweep did."""

    sent: int = 0
    skipped: int = 0
    unrouted: int = 0
    notices: int = 0
    emailed: int = 0
    failed: list[int] = field(default_factory=list)


def _morning(day) -> datetime:
    return datetime.combine(day, time(REMINDER_HOUR), tzinfo=LIMA).astimezone(UTC)


def plan(timer: TimerRecord, policy: SlaPolicy, calendar) -> list[ReminderRecord]:
    """Every notice owed for a timer under its policy (pure; see the module docstring)."""
    chain = policy.escalation or ("assignee",)
    rows: list[tuple[str, int, str, datetime]] = [
        ("before", 0, chain[0], at)
        for at in reminder_instants(policy, timer.due_at, calendar, not_before=timer.started_at)
    ]
    rows.append(("due", 0, chain[0], timer.due_at))
    last_day = lima_date(timer.due_at - timedelta(microseconds=1))
    for level, role in enumerate(policy.escalation):
        rows.append(("escalation", level, role, _morning(calendar.add_business_days(last_day, level + 1))))
    return [
        ReminderRecord(timer_id=timer.id, case_id=timer.case_id, tenant_id=timer.tenant_id, policy=policy.id,
                       kind=kind, level=level, role=role, at=at, due_at=timer.due_at,
                       dedupe=f"{timer.id}:{kind}:{level}:{at:%Y%m%dT%H%M}")
        for kind, level, role, at in rows
    ]


def schedule_for_case(rt: Runtime, uow: UnitOfWork, loaded, now: datetime) -> None:
    """Store hook (after the timer rows are synced): plan notices for new timers, cancel stale ones."""
    case = loaded.case
    if case.status in CLOSED:
        uow.reminders.cancel_for_case(case.id)
        return
    changes = loaded.timer_changes
    if changes.cancelled:
        uow.reminders.cancel_for_timers(changes.cancelled)
    policies = loaded.rules.policies
    rows = [r for t in changes.added if t.policy and t.policy in policies
            for r in plan(t, policies.get(t.policy), loaded.rules.calendar)]
    if rows:
        uow.reminders.add_many(rows)


def send_due_reminders(cmd: SendDueReminders, uow_factory: Callable[..., UnitOfWork],
                       rt: Runtime) -> ReminderResult:
    """Claim due reminder rows batch by batch and handle each in its own transaction."""
    result = ReminderResult()
    skip: set[int] = set()
    while True:
        with uow_factory() as uow:
            due = [r for r in uow.reminders.claim_due(cmd.now, cmd.limit + len(skip)) if r.id not in skip]
        if not due:
            return result
        for reminder in due[: cmd.limit]:
            try:
                _handle(reminder, uow_factory, rt, result)
            except ProbidadError as exc:
                log.warning("reminder %d failed: %s", reminder.id, type(exc).__name__)
                result.failed.append(reminder.id)
                skip.add(reminder.id)


def _obligation(uow: UnitOfWork, reminder: ReminderRecord) -> tuple[bool, str | None, str | None]:
    """Whether the notice is still owed, and the lane and assignee it concerns."""
    case = uow.cases.get(reminder.case_id)
    if case is None or case.status in CLOSED:
        return False, None, None
    timer = next((t for t in uow.timers.for_case(reminder.case_id) if t.id == reminder.timer_id), None)
    if timer is None or timer.state == "cancelled":
        return False, None, None
    ready = uow.tasks.query(case_id=reminder.case_id, state="ready", limit=50)
    task = next((t for t in ready if t.name == timer.attached_to), None)
    lane_task = task or (ready[0] if ready else None)
    lane = lane_task.lane if lane_task else None
    assignee = task.assignee if task else None
    if timer.state == "waiting":
        return True, lane, assignee
    open_obligation = reminder.kind != "before" and timer.attached_to is not None and task is not None
    return open_obligation, lane, assignee


def _handle(reminder: ReminderRecord, uow_factory, rt: Runtime, result: ReminderResult) -> None:
    now = rt.now()
    with uow_factory() as uow:
        owed, lane, assignee = _obligation(uow, reminder)
        recipients = _recipients(rt, reminder, lane, assignee) if owed else []
        state = "skipped" if not owed else ("sent" if recipients else "unrouted")
        if not uow.reminders.mark(reminder.id, state, now):
            return  # another worker handled it
        if owed:
            result.notices += _notify(uow, rt, reminder, recipients, now)
            audit.record(uow, now, SYSTEM_ACTOR, f"reminder.{reminder.kind}", reminder.case_id,
                         {"reminder_id": reminder.id, "timer_id": reminder.timer_id, "policy": reminder.policy,
                          "level": reminder.role, "recipients": sorted({r.user_id for r in recipients})})
        uow.commit()
    setattr(result, state, getattr(result, state) + 1)


def _recipients(rt: Runtime, reminder: ReminderRecord, lane: str | None, assignee: str | None) -> list[Recipient]:
    directory = rt.recipients
    if directory is None:
        return [Recipient(assignee)] if assignee and reminder.role == "assignee" else []
    unique: dict[str, Recipient] = {}
    for recipient in directory.recipients(reminder.tenant_id, lane, assignee, reminder.role):
        unique.setdefault(recipient.user_id, recipient)
    return list(unique.values())


def _notify(uow: UnitOfWork, rt: Runtime, reminder: ReminderRecord, recipients: list[Recipient],
            now: datetime) -> int:
    created = 0
    for recipient in recipients:
        key = f"r:{reminder.dedupe}:{recipient.user_id}"
        if uow.notices.add_inbox(key, recipient.user_id, reminder.case_id, reminder.kind, reminder.policy,
                                 reminder.due_at, now, {"role": reminder.role, "level": reminder.level}):
            created += 1
        if recipient.email and rt.notifier is not None:
            uow.notices.enqueue_mail(key, recipient.email, recipient.user_id, reminder.case_id, reminder.policy,
                                     reminder.kind, reminder.due_at, now)
    return created
