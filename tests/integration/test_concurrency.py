"""Optimistic locking with real threads on a SQLite file (ARCHITECTURE §2.6, SECURITY.md 15)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from engine.errors import StaleCase
from tests.helpers import fixture_engine


def _race(workers):
    barrier = threading.Barrier(len(workers))
    outcomes = [None] * len(workers)

    def run(index, work):
        barrier.wait()
        try:
            work()
            outcomes[index] = "ok"
        except StaleCase:
            outcomes[index] = "stale"
        except Exception as exc:  # noqa: BLE001 - any other outcome fails the test below
            outcomes[index] = repr(exc)

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


def test_concurrent_completions_of_one_task_have_exactly_one_winner(tmp_path):
    engine, _ = fixture_engine(tmp_path)
    case_id = engine.start_case("fixture", {})
    review = engine.tasks(case_id=case_id)[0]
    outcomes = _race([lambda: engine.complete_task(review.id, {"admissible": "no"})] * 6)
    assert sorted(outcomes) == ["ok"] + ["stale"] * 5
    assert engine.case(case_id).outcome == "end_rejected"
    completes = [e for e in engine.audit_for_case(case_id) if e.action == "task.complete"]
    assert len(completes) == 1
    assert engine.audit_verify().ok


def test_completion_racing_the_timer_sweep(tmp_path):
    engine, clock = fixture_engine(tmp_path)
    case_ids = [engine.start_case("fixture", {}) for _ in range(5)]
    reviews = [engine.tasks(case_id=c)[0] for c in case_ids]
    clock.set(datetime(2025, 3, 8, tzinfo=UTC))  # the review deadline has passed
    workers = [lambda r=r: engine.complete_task(r.id, {"admissible": "no"}) for r in reviews]
    workers.append(lambda: engine.tick())
    outcomes = _race(workers)
    assert all(o in ("ok", "stale") for o in outcomes), outcomes
    for case_id in case_ids:
        view = engine.case(case_id)
        fired = [d for d in view.deadlines if d.state == "fired"]
        completes = [e for e in engine.audit_for_case(case_id) if e.action == "task.complete"]
        # Exactly one of the two transitions happened for each case, never both.
        if view.outcome == "end_rejected":
            assert not fired and len(completes) == 1
        else:
            assert len(fired) == 1 and not completes
            assert [t.name for t in engine.tasks(case_id=case_id)] == ["escalate"]
    assert engine.audit_verify().ok


def test_expected_version_guards_a_stale_form(tmp_path):
    engine, _ = fixture_engine(tmp_path)
    case_id = engine.start_case("fixture", {})
    seen = engine.case(case_id).version
    engine.set_policy_override("denuncia.evaluacion", 4, "prueba")  # unrelated change: no case bump
    review = engine.tasks(case_id=case_id)[0]
    try:
        engine.complete_task(review.id, {"admissible": "yes"}, expected_version=seen + 1)
    except StaleCase as exc:
        assert "reload" in str(exc)
    else:
        raise AssertionError("a stale form must be refused")
    engine.complete_task(review.id, {"admissible": "yes"}, expected_version=seen)
