"""The fixture scenarios again on the in-memory fakes (engine.memory): the services do not depend on
SQL, and each step still restores the workflow from sealed state."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engine.errors import DisallowedTaskData, StaleCase
from tests.helpers import memory_fixture_engine


def _ready(engine, case_id):
    return {t.name: t for t in engine.tasks(case_id=case_id)}


def test_accepted_path_with_parallel_branches_and_timer():
    engine, clock = memory_fixture_engine()
    case_id = engine.start_case("fixture", {"channel": "web"})
    engine.complete_task(_ready(engine, case_id)["review"].id, {"admissible": "yes"})
    ready = _ready(engine, case_id)
    assert set(ready) == {"approve", "notify"}
    for task in ready.values():
        engine.complete_task(task.id, {})
    assert engine.tick() == 0
    clock.set(datetime(2025, 3, 11, 5, 0, tzinfo=UTC))
    assert engine.tick() == 1
    view = engine.case(case_id)
    assert (view.status, view.outcome) == ("closed", "end_done")
    assert engine.audit_verify().ok


def test_rejected_and_escalated_paths():
    engine, clock = memory_fixture_engine()
    rejected = engine.start_case("fixture", {})
    escalated = engine.start_case("fixture", {})
    engine.complete_task(_ready(engine, rejected)["review"].id, {"admissible": "no"})
    assert engine.case(rejected).outcome == "end_rejected"
    assert _ready(engine, escalated)["review"].due_at == datetime(2025, 3, 7, 5, 0, tzinfo=UTC)
    clock.set(datetime(2025, 3, 7, 5, 0, tzinfo=UTC))
    assert engine.tick() == 1
    engine.complete_task(_ready(engine, escalated)["escalate"].id, {})
    assert engine.case(escalated).outcome == "end_escalated"


def test_second_completion_is_stale_and_refused_data_changes_nothing():
    engine, _ = memory_fixture_engine()
    case_id = engine.start_case("fixture", {})
    review = _ready(engine, case_id)["review"]
    with pytest.raises(DisallowedTaskData):
        engine.complete_task(review.id, {"narrative": "x"})
    assert _ready(engine, case_id)["review"].id == review.id
    engine.complete_task(review.id, {"admissible": "no"})
    with pytest.raises(StaleCase):
        engine.complete_task(review.id, {"admissible": "no"})
    assert [e.action for e in engine.audit_for_case(case_id)] == ["case.start", "task.complete"]


def test_state_in_the_fake_store_is_sealed():
    engine, _ = memory_fixture_engine()
    case_id = engine.start_case("fixture", {"channel": "canal-canario-55"})
    blob, _ = engine.memory_store.data.states[case_id]
    assert b"canal-canario-55" not in blob.ciphertext
    assert engine.case(case_id).data["channel"] == "canal-canario-55"
