"""Third-party BPMN (other modelers' exports, unknown extensions) never crashes the validator."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.domain.roles import ROLE_CODES
from engine.domain.sla import PolicySet
from engine.errors import Problem
from engine.workflow.validate import ValidationContext, validate_bpmn
from workflows.base import POLICY_FILE
from workflows.registry import bundled_definitions

THIRDPARTY = Path(__file__).resolve().parents[1] / "fixtures" / "thirdparty"
FILES = sorted(THIRDPARTY.glob("*.bpmn"))


def full_context() -> ValidationContext:
    """The rules `probidad bpmn validate` applies with the bundled processes."""
    defs = bundled_definitions()
    return ValidationContext(roles=ROLE_CODES, forms={d.process_id: frozenset(d.forms) for d in defs},
                             policies=frozenset(PolicySet.from_toml(POLICY_FILE).ids()),
                             data_keys={d.process_id: d.data_keys for d in defs})


def _clear(problems: list[Problem]) -> None:
    for problem in problems:
        assert isinstance(problem, Problem)
        assert problem.severity in {"error", "warning"}
        assert problem.message and "\n" not in problem.message and len(problem.message) < 400
        assert "Traceback" not in problem.message
        assert problem.element_id is None or isinstance(problem.element_id, str)


def test_there_are_enough_thirdparty_files():
    assert len(FILES) >= 10


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
@pytest.mark.parametrize("ctx", [ValidationContext(), full_context()], ids=["plain", "probidad"])
def test_validate_returns_clear_problems_or_nothing(path, ctx):
    problems = validate_bpmn(path.read_bytes(), path.name, ctx)
    assert isinstance(problems, list)
    _clear(problems)


@pytest.mark.parametrize(("name", "element", "fragment"), [
    ("camunda_export.bpmn", "Task_registrar", "script format 'javascript' is not supported"),
    ("camunda_export.bpmn", "Task_notificar", "service tasks are not supported"),
    ("camunda_export.bpmn", "Timer_recordatorio", "sla_due"),
    ("camunda_export.bpmn", "Flow_si", "syntax error"),
    ("choreography_only.bpmn", None, "no process found"),
    ("empty_definitions.bpmn", None, "no process found"),
    ("signavio_export.bpmn", None, "no executable process"),
    ("not_bpmn.bpmn", None, "not a BPMN 2.0 document"),
    ("truncated.bpmn", None, "malformed XML"),
    ("dmn_import.bpmn", "Task_decidir", "DMN"),
    ("event_subprocess_call_activity.bpmn", "F_dangling", "missing element"),
])
def test_known_problems_are_reported_on_their_element(name, element, fragment):
    problems = validate_bpmn((THIRDPARTY / name).read_bytes(), name, full_context())
    assert any(p.element_id == element and fragment in p.message for p in problems), problems


@pytest.mark.parametrize("name", ["bpmnio_simple.bpmn", "collaboration_two_pools.bpmn", "latin1_encoding.bpmn"])
def test_clean_exports_are_accepted(name):
    problems = validate_bpmn((THIRDPARTY / name).read_bytes(), name, ValidationContext(roles=ROLE_CODES))
    assert problems == []


def test_event_subprocesses_are_not_reported_unreachable():
    xml = (THIRDPARTY / "event_subprocess_call_activity.bpmn").read_bytes()
    problems = validate_bpmn(xml, "x.bpmn")
    assert not any(p.element_id == "EventSub_errores" for p in problems)


@pytest.mark.parametrize("data", [b"", b"\x00", b"\xff\xfe", b"<", b"<a/>", "<?xml version='1.0'?><é/>".encode(),
                                  b'<?xml version="1.0" encoding="nope"?><a/>', b"x" * 10,
                                  '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">'
                                  '<bpmn:process id="p" isExecutable="true"/></bpmn:definitions>'.encode("utf-32")])
def test_garbage_never_raises(data):
    problems = validate_bpmn(data, "junk.bpmn", full_context())
    assert problems
    _clear(problems)


def test_an_unexpected_internal_error_becomes_a_problem(monkeypatch):
    from engine.workflow import validate

    def boom(*args, **kwargs):
        raise KeyError("internal")

    monkeypatch.setattr(validate, "_structure", boom)
    xml = (THIRDPARTY / "bpmnio_simple.bpmn").read_bytes()
    problems = validate.validate_bpmn(xml, "x.bpmn")
    assert [p.message for p in problems] == ["the file could not be checked (KeyError)"]
