"""Every path of the fixture process, driven through the engine: each step restores the workflow
from the sealed store and saves it again (save/restore is exercised on every command)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from engine.errors import DisallowedTaskData
from tests.helpers import fixture_engine


def _ready(engine, case_id):
    return {t.name: t for t in engine.tasks(case_id=case_id)}


def test_rejected_path_ends_at_default_flow(tmp_path):
    engine, _ = fixture_engine(tmp_path)
    case_id = engine.start_case("fixture", {"channel": "web"})
    review = _ready(engine, case_id)["review"]
    assert review.lane == "oii"
    engine.complete_task(review.id, {"admissible": "no"})
    view = engine.case(case_id)
    assert view.status == "closed"
    assert view.outcome == "end_rejected"
    assert engine.tasks(case_id=case_id) == []
    # The review timer was cancelled when the task completed.
    assert [d.state for d in view.deadlines] == ["cancelled"]


def test_accepted_path_runs_parallel_branches_and_intermediate_timer(tmp_path):
    engine, clock = fixture_engine(tmp_path)
    case_id = engine.start_case("fixture", {"channel": "web"})
    engine.complete_task(_ready(engine, case_id)["review"].id, {"admissible": "yes"})
    ready = _ready(engine, case_id)
    assert set(ready) == {"approve", "notify"}
    assert {t.lane for t in ready.values()} == {"chief"}
    # The script task ran inside the sandbox and stamped the time from the engine's clock.
    assert engine.case(case_id).data["stamped_at"] == clock.now().isoformat()
    engine.complete_task(ready["approve"].id, {})
    assert engine.case(case_id).status == "open"
    engine.complete_task(ready["notify"].id, {})
    view = engine.case(case_id)
    waiting = [d for d in view.deadlines if d.state == "waiting"]
    assert [d.policy for d in waiting] == ["denuncia.acuse"]
    # 7 calendar days from Monday 3 March 2025 -> Monday 10 March, expiring at the end of that day in Lima.
    assert waiting[0].due_at == datetime(2025, 3, 11, 5, 0, tzinfo=UTC)
    assert engine.tick() == 0
    clock.set(datetime(2025, 3, 11, 5, 0, tzinfo=UTC))
    assert engine.tick() == 1
    view = engine.case(case_id)
    assert (view.status, view.outcome) == ("closed", "end_done")
    assert engine.tick() == 0


def test_boundary_timer_escalates_overdue_review(tmp_path):
    engine, clock = fixture_engine(tmp_path)
    case_id = engine.start_case("fixture", {})
    review = _ready(engine, case_id)["review"]
    # 3 business days after Monday 3 March 2025: Thursday 6 March, expiring at its end in Lima.
    assert review.due_at == datetime(2025, 3, 7, 5, 0, tzinfo=UTC)
    clock.set(datetime(2025, 3, 7, 4, 59, tzinfo=UTC))
    assert engine.tick() == 0
    clock.advance(minutes=1)
    assert engine.tick() == 1
    ready = _ready(engine, case_id)
    assert set(ready) == {"escalate"}
    engine.complete_task(ready["escalate"].id, {})
    assert engine.case(case_id).outcome == "end_escalated"


def test_tick_with_explicit_now_fires_timers_due_by_then(tmp_path):
    engine, _ = fixture_engine(tmp_path)
    case_id = engine.start_case("fixture", {})
    assert engine.tick(datetime(2025, 3, 5, tzinfo=UTC)) == 0
    assert engine.tick(datetime(2025, 3, 8, tzinfo=UTC)) == 1
    assert set(_ready(engine, case_id)) == {"escalate"}


def test_holiday_moves_the_deadline(tmp_path):
    # Start on Friday 25 July 2025: 28 and 29 July are national holidays, so 3 business days
    # are 30 July, 31 July and 1 August.
    engine, _ = fixture_engine(tmp_path, start=datetime(2025, 7, 25, 15, tzinfo=UTC))
    case_id = engine.start_case("fixture", {})
    assert _ready(engine, case_id)["review"].due_at == datetime(2025, 8, 2, 5, 0, tzinfo=UTC)


def test_running_deadline_keeps_the_policy_value_it_started_with(tmp_path):
    engine, _ = fixture_engine(tmp_path)
    before = engine.start_case("fixture", {})
    engine.set_policy_override("denuncia.evaluacion", 10, "Directiva interna de prueba")
    after = engine.start_case("fixture", {})
    assert _ready(engine, before)["review"].due_at == datetime(2025, 3, 7, 5, 0, tzinfo=UTC)
    # 10 business days after 3 March 2025 -> Monday 17 March.
    assert _ready(engine, after)["review"].due_at == datetime(2025, 3, 18, 5, 0, tzinfo=UTC)


def test_task_data_outside_the_allow_list_is_refused(tmp_path):
    engine, _ = fixture_engine(tmp_path)
    with pytest.raises(DisallowedTaskData, match="narrative"):
        engine.start_case("fixture", {"narrative": "secret text"})
    case_id = engine.start_case("fixture", {})
    review = _ready(engine, case_id)["review"]
    with pytest.raises(DisallowedTaskData):
        engine.complete_task(review.id, {"admissible": "yes", "accused_name": "x"})
    # Nothing was half-written: the task is still ready.
    assert _ready(engine, case_id)["review"].id == review.id


def test_state_is_sealed_in_the_database(tmp_path):
    engine, _ = fixture_engine(tmp_path)
    case_id = engine.start_case("fixture", {"channel": "canal-canario-7f3a"})
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("t.db*"))
    assert b"canal-canario-7f3a" not in raw
    assert engine.case(case_id).data["channel"] == "canal-canario-7f3a"


def test_audit_entries_follow_every_step(tmp_path):
    engine, clock = fixture_engine(tmp_path)
    case_id = engine.start_case("fixture", {})
    engine.complete_task(_ready(engine, case_id)["review"].id, {"admissible": "no"})
    actions = [e.action for e in engine.audit_for_case(case_id)]
    assert actions == ["case.start", "task.complete"]
    assert engine.audit_verify().ok
    clock.advance(timedelta(days=1))
