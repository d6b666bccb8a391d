"""Versioned deployment: new sha -> version n+1; same sha -> nothing new; cases stay pinned."""

from __future__ import annotations

import pytest

from engine.errors import InvalidBpmn, NotFound
from tests.helpers import FIXTURE_BPMN, fixture_engine


def test_same_sha_creates_nothing_and_changed_xml_creates_a_version(tmp_path):
    engine, _ = fixture_engine(tmp_path)
    xml = FIXTURE_BPMN.read_bytes()
    again = engine.deploy_xml(xml, "fixture.bpmn")
    assert [(d.process_id, d.version, d.created) for d in again] == [("fixture", 1, False)]
    old_case = engine.start_case("fixture", {})
    changed = xml.replace(b'name="Review"', b'name="Review (v2)"')
    result = engine.deploy_xml(changed, "fixture.bpmn")
    assert [(d.version, d.created) for d in result] == [(2, True)]
    new_case = engine.start_case("fixture", {})
    assert engine.case(old_case).process_version == 1
    assert engine.case(new_case).process_version == 2
    assert engine.tasks(case_id=old_case)[0].title == "Review"
    assert engine.tasks(case_id=new_case)[0].title == "Review (v2)"
    # The old case still runs on version 1.
    engine.complete_task(engine.tasks(case_id=old_case)[0].id, {"admissible": "no"})
    assert engine.case(old_case).outcome == "end_rejected"
    versions = [(d.process_id, d.version) for d in engine.definitions()]
    assert versions == [("fixture", 1), ("fixture", 2)]


def test_invalid_bpmn_is_not_stored(tmp_path):
    engine, _ = fixture_engine(tmp_path)
    broken = FIXTURE_BPMN.read_bytes().replace(b'sourceRef="start"', b'sourceRef="nowhere"')
    with pytest.raises(InvalidBpmn) as info:
        engine.deploy_xml(broken, "broken.bpmn")
    assert any(p.element_id == "f1" for p in info.value.problems)
    assert [d.version for d in engine.definitions()] == [1]


def test_unknown_process_is_a_clear_error(tmp_path):
    engine, _ = fixture_engine(tmp_path)
    with pytest.raises(NotFound, match="not deployed"):
        engine.start_case("nope", {})
