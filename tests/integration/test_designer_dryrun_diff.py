"""Dry run (in memory, nothing persisted) and the diff against the running version (issue 8)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event

from engine.testing import make_engine
from tests.helpers import FIXTURE_BPMN, fixture_engine
from tests.integration.test_designer_migration import with_triage, without_stamp
from tests.security.test_bpmn_attacks import attack_bpmn

V1 = FIXTURE_BPMN.read_bytes()
DENUNCIA_DECISIONS = {"channel": "web", "anonymous": True, "protection_requested": False,
                      "admissibility": "admissible", "classification": "corruption", "bad_faith": False,
                      "route_targets": ["oci"], "fact_date": "2025-02-01"}


@pytest.fixture
def writes(tmp_path):
    """An engine with the fixture deployed, and the list of SQL writes it makes from now on."""
    engine, clock = fixture_engine(tmp_path)
    seen: list[str] = []

    def spy(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().split(" ", 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
            seen.append(statement)

    event.listen(engine.db, "before_cursor_execute", spy)
    yield engine, clock, seen
    event.remove(engine.db, "before_cursor_execute", spy)


def _ids(result):
    return [p["element_id"] for p in result["path"]]


def test_dry_run_follows_decisions_fires_timers_and_writes_nothing(writes):
    engine, clock, seen = writes
    before = clock.now()
    result = engine.dry_run(V1, date(2025, 3, 3), {"admissible": "yes"})
    assert result["problems"] == []
    path = _ids(result)
    assert path[:3] == ["start", "review", "decide"]
    assert {"fork", "approve", "stamp", "notify", "join", "wait_cooling", "end_done"} <= set(path)
    assert path.index("stamp") < path.index("notify") and path.index("join") < path.index("wait_cooling")
    assert path[-1] == "end_done"
    assert {p["type"] for p in result["path"] if p["element_id"] == "review"} == {"userTask"}
    review = result["tasks"][0]
    assert (review["element_id"], review["role"], review["policy"]) == ("review", "oii", "denuncia.evaluacion")
    # Started Monday 3 March 2025 09:00 Lima: the evaluation deadline is computed on business days.
    assert review["due_at"].startswith("2025-03-")
    assert [t["element_id"] for t in result["tasks"]] == ["review", "approve", "notify"]
    assert seen == []
    assert clock.now() == before
    assert engine.cases(process_id="fixture") == []


def test_decisions_per_task_override_the_common_ones(writes):
    engine, _, _ = writes
    result = engine.dry_run(V1, date(2025, 3, 3), {"admissible": "yes", "review": {"admissible": "no"}})
    assert _ids(result)[-1] == "end_rejected"
    assert "fork" not in _ids(result)


def test_deadlines_use_the_business_day_calendar_from_the_start_date(tmp_path):
    engine, _ = make_engine(tmp_path)
    friday = engine.dry_run((FIXTURE_BPMN.parent.parent.parent / "bpmn" / "denuncia.bpmn").read_bytes(),
                            date(2025, 3, 7), DENUNCIA_DECISIONS)
    assert [p for p in friday["problems"] if p["severity"] == "error"] == []
    ack = next(t for t in friday["tasks"] if t["element_id"] == "acknowledge_receipt")
    assert ack["role"] == "oii" and ack["policy"] == "denuncia.acuse"
    # 7 calendar days from Friday 7 March 2025 (the simulated day of receipt): end of Friday 14 March in Lima.
    assert ack["due_at"] == "2025-03-15T05:00:00+00:00"
    monday = engine.dry_run((FIXTURE_BPMN.parent.parent.parent / "bpmn" / "denuncia.bpmn").read_bytes(),
                            date(2025, 3, 3), DENUNCIA_DECISIONS)
    assert next(t for t in monday["tasks"] if t["element_id"] == "acknowledge_receipt")["due_at"] == (
        "2025-03-11T05:00:00+00:00")


def test_disallowed_decision_keys_are_warned_about(writes):
    engine, _, _ = writes
    result = engine.dry_run(V1, date(2025, 3, 3), {"admissible": "no", "narrative": "x"})
    warnings = [p for p in result["problems"] if p["severity"] == "warning"]
    assert any("'narrative'" in p["message"] for p in warnings)


def test_a_sandbox_violation_is_a_problem_on_its_element_not_an_exception(writes):
    engine, _, seen = writes
    result = engine.dry_run(attack_bpmn("script", "x = 10**10**10"), date(2025, 3, 3), {})
    assert result["problems"][0]["element_id"] == "attack_script"
    assert "number too large" in result["problems"][0]["message"]
    assert seen == []


def test_a_missing_decision_is_reported_on_the_gateway(writes):
    engine, _, _ = writes
    result = engine.dry_run(V1, date(2025, 3, 3), {})
    assert result["problems"] and result["problems"][0]["element_id"] == "decide"


def test_unreadable_xml_gives_problems(writes):
    engine, _, _ = writes
    result = engine.dry_run(b"<not-bpmn", date(2025, 3, 3), {})
    assert result["path"] == [] and result["problems"][0]["severity"] == "error"


def test_a_loop_stops_at_the_step_limit(writes, monkeypatch):
    from engine.services import dryrun

    monkeypatch.setattr(dryrun, "MAX_DRY_STEPS", 3)
    engine, _, _ = writes
    result = engine.dry_run(V1, date(2025, 3, 3), {"admissible": "yes"})
    assert any("stopped after 3 steps" in p["message"] for p in result["problems"])


def test_diff_against_the_running_version(writes):
    engine, _, seen = writes
    diff = engine.diff_against_running(with_triage())
    assert (diff["process_id"], diff["against_version"]) == ("fixture", 1)
    assert [i["element_id"] for i in diff["added"]] == ["f2b", "triage"]
    assert diff["removed"] == []
    changed = {i["element_id"]: i for i in diff["changed"]}
    assert changed["review"]["fields"] == ["name"]
    assert changed["review"]["changes"] == {"name": ["Review", "Review (v2)"]}
    assert changed["review"]["detail"] == "name: 'Review' → 'Review (v2)'"
    assert changed["f2"]["fields"] == ["target"] and changed["f2"]["changes"] == {"target": ["decide", "triage"]}
    assert not {"before", "after"} & set(changed["review"])
    assert diff["deadlines_changed"] == []
    assert seen == []


def test_diff_reports_removed_elements_and_changed_deadlines(writes):
    engine, _, _ = writes
    xml = without_stamp().replace(b'sla_due("denuncia.evaluacion")', b'sla_due("denuncia.acuse")')
    xml = xml.replace(b'admissible == "yes"', b'admissible == "si"')
    diff = engine.diff_against_running(xml)
    assert [i["element_id"] for i in diff["removed"]] == ["f_p2b", "stamp"]
    assert diff["deadlines_changed"] == [{"element_id": "review_timeout", "name": "Review overdue",
                                          "type": "boundaryEvent", "before": "denuncia.evaluacion",
                                          "after": "denuncia.acuse"}]
    changed = {i["element_id"]: i["fields"] for i in diff["changed"]}
    assert changed["f_accept"] == ["condition"]
    assert changed["review_timeout"] == ["timer"]
    assert changed["f_p2"] == ["target"]


def test_diff_of_a_new_process_has_no_version(writes):
    engine, _, _ = writes
    diff = engine.diff_against_running(attack_bpmn())
    assert diff["against_version"] is None and diff["removed"] == []
    assert "review" in {i["element_id"] for i in diff["added"]}
    assert {"element_id": "attack_timer", "name": None, "type": "boundaryEvent", "before": None,
            "after": "denuncia.acuse"} in diff["deadlines_changed"]


def test_a_dropped_message_payload_shows_in_the_diff(tmp_path):
    engine, _ = make_engine(tmp_path)
    denuncia = (FIXTURE_BPMN.parents[2] / "bpmn" / "denuncia.bpmn").read_bytes()
    start = denuncia.index(b"<spiffworkflow:messagePayload>")
    end = denuncia.index(b"</spiffworkflow:messagePayload>", start) + len(b"</spiffworkflow:messagePayload>")
    diff = engine.diff_against_running(denuncia[:start] + denuncia[end:])
    (item,) = diff["changed"]
    assert (item["element_id"], item["type"], item["fields"]) == ("msg_start_pad", "message", ["payload"])
    assert item["changes"]["payload"][1] is None
