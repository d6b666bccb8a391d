"""Case migration between versions (`probidad case migrate`) and cases per version (issue 8)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from engine import cli
from engine.errors import NotFound
from tests.helpers import FIXTURE_BPMN, fixture_engine

V1 = FIXTURE_BPMN.read_bytes()


def with_triage(xml: bytes = V1) -> bytes:
    """v2: a new user task `triage` between `review` and the gateway, and a renamed review."""
    xml = xml.replace(b'<bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="decide" />',
                      b'<bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="triage" />'
                      b'<bpmn:sequenceFlow id="f2b" sourceRef="triage" targetRef="decide" />')
    xml = xml.replace(b'<bpmn:userTask id="review" name="Review">',
                      b'<bpmn:userTask id="triage" name="Triage"><bpmn:extensionElements><spiffworkflow:properties>'
                      b'<spiffworkflow:property name="formId" value="approve" /></spiffworkflow:properties>'
                      b'</bpmn:extensionElements><bpmn:incoming>f2</bpmn:incoming>'
                      b'<bpmn:outgoing>f2b</bpmn:outgoing></bpmn:userTask>'
                      b'<bpmn:userTask id="review" name="Review (v2)">')
    xml = xml.replace(b"<bpmn:flowNodeRef>review</bpmn:flowNodeRef>",
                      b"<bpmn:flowNodeRef>review</bpmn:flowNodeRef><bpmn:flowNodeRef>triage</bpmn:flowNodeRef>")
    assert xml.count(b"triage") >= 4
    return xml


def renamed(element: bytes, xml: bytes = V1) -> bytes:
    """A version in which an element gets another id (its form stays)."""
    new = xml
    for attr in (b"id", b"sourceRef", b"targetRef", b"attachedToRef"):
        new = new.replace(attr + b'="' + element + b'"', attr + b'="' + element + b'_v2"')
    new = new.replace(b">" + element + b"<", b">" + element + b"_v2<")
    assert new != xml
    return new


def _cut(xml: bytes, start: bytes, end: bytes) -> bytes:
    i = xml.index(start)
    j = xml.index(end, i) + len(end)
    return xml[:i] + xml[j:]


def without_stamp(xml: bytes = V1) -> bytes:
    """A version without the script task `stamp`: the fork goes straight to `notify`."""
    xml = _cut(xml, b'<bpmn:scriptTask id="stamp"', b"</bpmn:scriptTask>")
    xml = _cut(xml, b'<bpmn:sequenceFlow id="f_p2b"', b"/>")
    xml = xml.replace(b'<bpmn:sequenceFlow id="f_p2" sourceRef="fork" targetRef="stamp" />',
                      b'<bpmn:sequenceFlow id="f_p2" sourceRef="fork" targetRef="notify" />')
    xml = xml.replace(b"<bpmn:incoming>f_p2b</bpmn:incoming>", b"<bpmn:incoming>f_p2</bpmn:incoming>")
    return xml.replace(b"<bpmn:flowNodeRef>stamp</bpmn:flowNodeRef>", b"")


def without_review(xml: bytes = V1) -> bytes:
    """A version without the user task `review` (and its timer): the start goes to the gateway."""
    xml = _cut(xml, b'<bpmn:userTask id="review"', b"</bpmn:userTask>")
    xml = _cut(xml, b'<bpmn:boundaryEvent id="review_timeout"', b"</bpmn:boundaryEvent>")
    xml = _cut(xml, b'<bpmn:userTask id="escalate"', b"</bpmn:userTask>")
    xml = _cut(xml, b'<bpmn:endEvent id="end_escalated"', b"</bpmn:endEvent>")
    for flow in (b"f2", b"f_timeout", b"f_esc_end"):
        xml = _cut(xml, b'<bpmn:sequenceFlow id="' + flow + b'"', b"/>")
    xml = xml.replace(b'targetRef="review" />', b'targetRef="decide" />')
    xml = xml.replace(b"<bpmn:incoming>f2</bpmn:incoming>", b"<bpmn:incoming>f1</bpmn:incoming>")
    for node in (b"review", b"escalate", b"end_escalated", b"review_timeout"):
        xml = xml.replace(b"<bpmn:flowNodeRef>" + node + b"</bpmn:flowNodeRef>", b"")
    return xml


def _deploy(engine, xml: bytes) -> int:
    (result,) = engine.deploy_xml(xml, "fixture.bpmn", actor="auditor")
    return result.version


def _ready(engine, case_id):
    return {t.name: t for t in engine.tasks(case_id=case_id)}


def test_a_case_moves_to_the_new_version_and_follows_its_flow(tmp_path):
    engine, _ = fixture_engine(tmp_path)
    case_id = engine.start_case("fixture", {"channel": "web"})
    due_before = [(d.policy, d.due_at) for d in engine.case(case_id).deadlines]
    review_id = _ready(engine, case_id)["review"].id
    assert _deploy(engine, with_triage()) == 2
    (result,) = engine.migrate_cases([case_id], 2, actor="auditor")
    assert (result.ok, result.from_version, result.to_version) == (True, 1, 2)
    view = engine.case(case_id)
    assert view.process_version == 2
    # The running deadline did not move, and the ready task kept its id.
    assert [(d.policy, d.due_at) for d in view.deadlines] == due_before
    assert _ready(engine, case_id)["review"].id == review_id
    engine.complete_task(_ready(engine, case_id)["review"].id, {"admissible": "no"})
    assert set(_ready(engine, case_id)) == {"triage"}
    engine.complete_task(_ready(engine, case_id)["triage"].id, {})
    assert engine.case(case_id).outcome == "end_rejected"
    entries = [e for e in engine.audit_for_case(case_id) if e.action == "case.migrate"]
    assert len(entries) == 1 and entries[0].details["to_version"] == 2 and entries[0].actor == "auditor"
    assert engine.audit_verify().ok


def test_an_old_case_that_is_not_migrated_keeps_its_version(tmp_path):
    engine, _ = fixture_engine(tmp_path)
    old = engine.start_case("fixture", {})
    _deploy(engine, with_triage())
    new = engine.start_case("fixture", {})
    engine.complete_task(_ready(engine, old)["review"].id, {"admissible": "no"})
    assert engine.case(old).status == "closed"
    engine.complete_task(_ready(engine, new)["review"].id, {"admissible": "no"})
    assert set(_ready(engine, new)) == {"triage"}
    assert (engine.case(old).process_version, engine.case(new).process_version) == (1, 2)


def test_a_ready_task_missing_from_the_new_version_is_refused(tmp_path):
    engine, _ = fixture_engine(tmp_path)
    case_id = engine.start_case("fixture", {})
    _deploy(engine, without_review())
    (result,) = engine.migrate_cases([case_id], 2)
    assert not result.ok
    assert "'review' is ready and does not exist in the new version" in result.reason
    assert engine.case(case_id).process_version == 1
    assert set(_ready(engine, case_id)) == {"review"}
    assert not [e for e in engine.audit_for_case(case_id) if e.action == "case.migrate"]


def test_a_passed_element_missing_from_the_new_version_is_refused(tmp_path):
    engine, _ = fixture_engine(tmp_path)
    case_id = engine.start_case("fixture", {})
    engine.complete_task(_ready(engine, case_id)["review"].id, {"admissible": "yes"})
    _deploy(engine, without_stamp())
    (result,) = engine.migrate_cases([case_id], 2)
    assert not result.ok and "already passed 'stamp'" in result.reason


def test_renamed_elements_are_aligned_by_structure(tmp_path):
    engine, _ = fixture_engine(tmp_path)
    case_id = engine.start_case("fixture", {})
    _deploy(engine, renamed(b"notify"))
    (result,) = engine.migrate_cases([case_id], 2)
    assert result.ok, result.reason
    engine.complete_task(_ready(engine, case_id)["review"].id, {"admissible": "yes"})
    assert set(_ready(engine, case_id)) == {"approve", "notify_v2"}


def test_predicted_but_unreached_elements_may_disappear(tmp_path):
    engine, _ = fixture_engine(tmp_path)
    case_id = engine.start_case("fixture", {})
    _deploy(engine, without_stamp())
    (result,) = engine.migrate_cases([case_id], 2)
    assert result.ok, result.reason
    engine.complete_task(_ready(engine, case_id)["review"].id, {"admissible": "yes"})
    assert set(_ready(engine, case_id)) == {"approve", "notify"}
    assert "stamped_at" not in engine.case(case_id).data


@pytest.mark.parametrize("situation", ["closed", "same", "unknown_version", "unknown_case"])
def test_other_refusals_have_clear_reasons(tmp_path, situation):
    engine, _ = fixture_engine(tmp_path)
    case_id = engine.start_case("fixture", {})
    _deploy(engine, with_triage())
    target = {"same": 1, "unknown_version": 7}.get(situation, 2)
    if situation == "closed":
        engine.complete_task(_ready(engine, case_id)["review"].id, {"admissible": "no"})
    if situation == "unknown_case":
        case_id = "0" * 32
    (result,) = engine.migrate_cases([case_id], target)
    assert not result.ok
    expected = {"closed": "only open cases", "same": "already runs on version 1",
                "unknown_version": "version 7", "unknown_case": "not found"}[situation]
    assert expected in result.reason


def test_cases_by_version_counts_open_cases(tmp_path):
    engine, _ = fixture_engine(tmp_path)
    first = engine.start_case("fixture", {})
    engine.start_case("fixture", {})
    _deploy(engine, with_triage())
    engine.start_case("fixture", {})
    assert engine.cases_by_version() == {"fixture": {1: 2, 2: 1}}
    engine.migrate_cases([first], 2)
    assert engine.cases_by_version() == {"fixture": {1: 1, 2: 2}}
    versions = engine.process_versions()
    assert [(v["version"], v["running_cases"]) for v in versions[0]["versions"]] == [(1, 1), (2, 2)]
    assert engine.process_xml("fixture", 2) == with_triage()
    with pytest.raises(NotFound):
        engine.process_xml("fixture", 9)


def test_cli_migrate_reports_each_case_and_exits_1_on_a_refusal(tmp_path, monkeypatch):
    engine, _ = fixture_engine(tmp_path)
    movable = engine.start_case("fixture", {})
    closed = engine.start_case("fixture", {})
    engine.complete_task(_ready(engine, closed)["review"].id, {"admissible": "no"})
    _deploy(engine, with_triage())
    from engine import cli_designer

    monkeypatch.setattr(cli_designer, "_engine", lambda: engine)
    runner = CliRunner()
    ok = runner.invoke(cli.main, ["case", "migrate", movable, "--to-version", "2", "--as", "auditor"])
    assert ok.exit_code == 0, ok.output
    assert ok.output.strip() == f"{movable} v1 -> v2"
    bad = runner.invoke(cli.main, ["case", "migrate", closed, "--to-version", "2"])
    assert bad.exit_code == 1
    assert f"error: {closed}: not migrated: " in bad.output and "Traceback" not in bad.output
    versions = runner.invoke(cli.main, ["case", "versions"])
    assert versions.exit_code == 0 and versions.output.split("\n")[0] == "fixture 2 1"
