"""Reminders and escalation of running deadlines (issue 5, point 4), driven by a frozen clock.

Expected instants are worked out by hand from the policies (workflows/policies.toml) and the law:
reminders at 08:00 Lima (13:00 UTC), a term expires at the end of its last day (05:00 UTC of the
next day, LPAG 140.1), escalation level i at 08:00 Lima on the (i+1)-th business day after the
last day. Each case starts on Monday 3 March 2025, 10:00 Lima.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from engine.services.notify import Recipient
from engine.services.reminders import ReminderResult, _handle
from tests.fixtures.notify_support import FakeDirectory, reminder_engine


def _z(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# process -> (before instants, due instant, escalation instants with the chain's roles)
EXPECTED = {
    # denuncia.evaluacion: 3 business days -> last day Thu 6 Mar; reminders 2 and 1 business days before.
    "rem_bd": (["2025-03-04T13:00", "2025-03-05T13:00"], "2025-03-07T05:00",
               [("assignee", "2025-03-07T13:00"), ("superior", "2025-03-10T13:00"),
                ("office_head", "2025-03-11T13:00")]),
    # denuncia.acuse: 7 calendar days -> last day Mon 10 Mar; 2 and 1 days before fall on Sat 8 and
    # Sun 9, both moved back to Fri 7 Mar: one reminder.
    "rem_cd": (["2025-03-07T13:00"], "2025-03-11T05:00",
               [("assignee", "2025-03-11T13:00"), ("superior", "2025-03-12T13:00"),
                ("office_head", "2025-03-13T13:00")]),
    # denuncia.retroalimentacion: 3 months -> Tue 3 Jun 2025; 30/10/5 days before: Sun 4 May -> Fri 2 May,
    # Sat 24 May -> Fri 23 May, Thu 29 May.
    "rem_mo": (["2025-05-02T13:00", "2025-05-23T13:00", "2025-05-29T13:00"], "2025-06-04T05:00",
               [("assignee", "2025-06-04T13:00"), ("superior", "2025-06-05T13:00"),
                ("office_head", "2025-06-06T13:00")]),
    # pad.prescripcion_conocimiento (T8): 1 year -> Tue 3 Mar 2026; 60/30/10 days before: Fri 2 Jan,
    # Sun 1 Feb -> Fri 30 Jan, Sat 21 Feb -> Fri 20 Feb. Chain of four, up to the entity head.
    "rem_yr": (["2026-01-02T13:00", "2026-01-30T13:00", "2026-02-20T13:00"], "2026-03-04T05:00",
               [("assignee", "2026-03-04T13:00"), ("superior", "2026-03-05T13:00"),
                ("office_head", "2026-03-06T13:00"), ("entity_head", "2026-03-09T13:00")]),
}
WHO = {"assignee": "ana", "superior": "bruno", "office_head": "carla", "entity_head": "diego"}


def _sweep(engine, times: int = 3) -> None:
    for _ in range(times):
        engine.tick()
        engine.send_reminders()


def _all_notices(engine) -> Counter:
    counts: Counter = Counter()
    for user in WHO.values():
        for notice in engine.notifications(user, unread_only=False, limit=500):
            counts[(user, notice.kind, notice.case_id)] += 1
    return counts


@pytest.mark.parametrize("process_id", sorted(EXPECTED))
def test_each_notice_goes_out_once_at_its_instant(tmp_path, process_id):
    engine, clock = reminder_engine(tmp_path)
    case_id = engine.start_case(process_id)
    before, due, escalations = EXPECTED[process_id]
    steps = [("before", "assignee", _z(at)) for at in before] + [("due", "assignee", _z(due))]
    steps += [("escalation", role, _z(at)) for role, at in escalations]
    planned = sorted((r.kind, r.role, r.at) for r in engine.reminders_for_case(case_id))
    assert planned == sorted(steps)

    expected: Counter = Counter()
    for kind, role, at in steps:
        clock.set(at - timedelta(minutes=1))
        _sweep(engine, 1)
        assert _all_notices(engine) == expected, f"{kind} to {role} went out before {at}"
        clock.set(at)
        _sweep(engine, 2)
        expected[(WHO[role], kind, case_id)] += 1
        assert _all_notices(engine) == expected, f"{kind} to {role} at {at}"
    clock.advance(days=30)
    _sweep(engine)
    assert _all_notices(engine) == expected
    assert {r.state for r in engine.reminders_for_case(case_id)} == {"sent"}
    actions = Counter(e.action for e in engine.audit_for_case(case_id) if e.action.startswith("reminder."))
    assert actions == Counter({"reminder.before": len(before), "reminder.due": 1,
                               "reminder.escalation": len(escalations)})


def test_catching_up_after_downtime_sends_due_and_escalations_once_but_no_stale_reminders(tmp_path):
    engine, clock = reminder_engine(tmp_path)
    case_id = engine.start_case("rem_bd")
    clock.set(_z("2025-03-12T00:00"))  # the worker was down for the whole term
    _sweep(engine)
    notices = _all_notices(engine)
    assert notices == Counter({("ana", "due", case_id): 1, ("ana", "escalation", case_id): 1,
                               ("bruno", "escalation", case_id): 1, ("carla", "escalation", case_id): 1})
    states = Counter((r.kind, r.state) for r in engine.reminders_for_case(case_id))
    assert states[("before", "skipped")] == 2


def test_no_notice_for_a_closed_case(tmp_path):
    engine, clock = reminder_engine(tmp_path)
    case_id = engine.start_case("rem_bd")
    engine.complete_task(engine.tasks(case_id=case_id)[0].id, {})
    assert engine.case(case_id).status == "closed"
    clock.advance(days=30)
    _sweep(engine)
    assert _all_notices(engine) == Counter()
    assert {r.state for r in engine.reminders_for_case(case_id)} == {"cancelled"}


def test_no_notice_for_a_completed_task_while_the_case_goes_on(tmp_path):
    engine, clock = reminder_engine(tmp_path)
    case_id = engine.start_case("rem_two")
    clock.set(_z("2025-03-04T13:00"))
    _sweep(engine)
    assert _all_notices(engine) == Counter({("ana", "before", case_id): 1})
    engine.complete_task(engine.tasks(case_id=case_id)[0].id, {})
    assert engine.case(case_id).status != "closed"
    assert [t.name for t in engine.tasks(case_id=case_id)] == ["next"]
    clock.advance(days=30)
    _sweep(engine)
    assert _all_notices(engine) == Counter({("ana", "before", case_id): 1})
    states = Counter(r.state for r in engine.reminders_for_case(case_id))
    assert states == Counter({"sent": 1, "cancelled": 5})


def test_a_row_handled_twice_creates_one_notice(tmp_path):
    """Two workers that claimed the same row (PostgreSQL without the lock, or a stale claim)."""
    engine, clock = reminder_engine(tmp_path)
    case_id = engine.start_case("rem_bd")
    clock.set(_z("2025-03-04T13:00"))
    with engine.rt.uow_factory() as uow:
        claimed = uow.reminders.claim_due(clock.now(), 10)
    assert len(claimed) == 1
    first, second = ReminderResult(), ReminderResult()
    _handle(claimed[0], engine.rt.uow_factory, engine.rt, first)
    _handle(claimed[0], engine.rt.uow_factory, engine.rt, second)
    assert (first.sent, second.sent) == (1, 0)
    assert _all_notices(engine) == Counter({("ana", "before", case_id): 1})


def test_restoring_a_case_does_not_plan_its_reminders_twice(tmp_path):
    engine, clock = reminder_engine(tmp_path)
    case_id = engine.start_case("rem_bd")
    planned = len(engine.reminders_for_case(case_id))
    for _ in range(3):
        clock.advance(hours=1)
        _sweep(engine, 1)  # nothing fires, but the store hook would run on any store of the case
    with engine.rt.uow_factory() as uow:
        from engine.services.persist import load_case, store_case

        loaded = load_case(engine.rt, uow, case_id)
        store_case(engine.rt, uow, loaded, "test")
        uow.commit()
    assert len(engine.reminders_for_case(case_id)) == planned


def test_a_person_listed_twice_gets_one_notice(tmp_path):
    twice = FakeDirectory({("oii", "assignee"): [Recipient("ana", "a@x.pe"), Recipient("ana", "a@x.pe")]})
    engine, clock = reminder_engine(tmp_path, directory=twice)
    case_id = engine.start_case("rem_bd")
    clock.set(_z("2025-03-04T13:00"))
    _sweep(engine)
    assert len(engine.notifications("ana")) == 1
    assert engine.notifications("ana")[0].case_id == case_id


def test_escalation_reaches_the_task_assignee(tmp_path):
    directory = FakeDirectory()
    engine, clock = reminder_engine(tmp_path, directory=directory)
    case_id = engine.start_case("rem_bd")
    task = engine.tasks(case_id=case_id)[0]
    with engine.rt.uow_factory() as uow:
        uow.tasks.set_assignee(task.id, "eva")
        uow.commit()
    for at in ("2025-03-04T13:00", "2025-03-05T13:00", "2025-03-07T05:00", "2025-03-07T13:00"):
        clock.set(_z(at))
        _sweep(engine, 1)
    kinds = sorted(n.kind for n in engine.notifications("eva"))
    assert kinds == ["before", "before", "due", "escalation"]
    assert engine.notifications("ana") == []
    assert ("default", "oii", "eva", "assignee") in directory.calls


def test_no_recipient_leaves_the_row_unrouted(tmp_path):
    engine, clock = reminder_engine(tmp_path, directory=FakeDirectory({}))
    case_id = engine.start_case("rem_bd")
    clock.set(_z("2025-03-04T13:00"))
    result = engine.send_reminders()
    assert (result.sent, result.unrouted) == (0, 1)
    assert Counter(r.state for r in engine.reminders_for_case(case_id))["unrouted"] == 1


def test_table_directory_routes_levels(tmp_path):
    engine, clock = reminder_engine(tmp_path)
    from engine.services.notify import TableRecipientDirectory

    engine.rt.recipients = TableRecipientDirectory(engine.rt.uow_factory)
    engine.add_notify_recipient("oii", "assignee", "ana", "ana@oii.example.pe")
    engine.add_notify_recipient("oii", "superior", "bruno", "bruno@oii.example.pe")
    engine.add_notify_recipient("*", "superior", "zoe", "zoe@oii.example.pe")  # lane entry wins
    engine.add_notify_recipient("*", "office_head", "carla", None)
    case_id = engine.start_case("rem_bd")
    clock.set(_z("2025-03-11T13:00"))
    _sweep(engine)
    assert _all_notices(engine) == Counter({
        ("ana", "due", case_id): 1, ("ana", "escalation", case_id): 1,
        ("bruno", "escalation", case_id): 1, ("carla", "escalation", case_id): 1})
    assert engine.notifications("zoe") == []
    assert ("oii", "superior", "bruno", "bruno@oii.example.pe") in engine.notify_recipients()


def test_inbox_api_reads_and_marks_only_ones_own_notices(tmp_path):
    engine, clock = reminder_engine(tmp_path)
    case_id = engine.start_case("rem_bd")
    clock.set(_z("2025-03-05T13:00"))
    _sweep(engine)
    notices = engine.notifications("ana")
    assert len(notices) == 2
    assert notices[0].case_code == case_id[:8].upper()
    assert notices[0].title.startswith("Evaluación")
    from engine.errors import NotFound

    with pytest.raises(NotFound):
        engine.mark_notification_read(notices[0].id, "bruno")
    engine.mark_notification_read(notices[0].id, "ana")
    assert [n.id for n in engine.notifications("ana")] == [notices[1].id]
    assert len(engine.notifications("ana", unread_only=False)) == 2
