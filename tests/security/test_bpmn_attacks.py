"""Hostile BPMN (SECURITY.md 12-13): rejected by `probidad bpmn validate`, and refused at run time.

Every attack is tried twice: through validation (the CLI exits 1 with a clear line naming the
file and, for code, the BPMN element), and injected straight into the stored definitions (no
validation) and then run: the engine raises a plain SandboxViolation or InvalidBpmn, no case row
is written, no file is created and the engine keeps working.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from engine.domain.model import ProcessDefinition
from engine.errors import InvalidBpmn, SandboxViolation
from engine.testing import make_engine
from tests.helpers import FIXTURE_BPMN, FIXTURE_DEFINITION
from workflows.base import WorkflowDefinition

ROOT = Path(__file__).resolve().parents[2]
PWNED = Path(f"/tmp/probidad-pwned-{os.getpid()}")

ATTACK_DEFINITION = WorkflowDefinition(
    process_id="attack", title_es="Ataque", title_en="Attack", bpmn_files=(), data_keys=frozenset({"x"}),
)

BENIGN = {
    "script": "x = 1",
    "condition": "x == 2",
    "timer": 'sla_due("denuncia.acuse")',
    "payload": '{"origin": "attack"}',
}

CODE_ATTACKS = {
    "import": ("__import__('os').system('touch {pwned}')", "x = __import__('os')"),
    "mro": ("().__class__.__mro__", "x = ().__class__.__mro__[1].__subclasses__()"),
    "open": ("open('/etc/passwd')", "x = open('{pwned}', 'w')"),
    "loop": ("sum(1 for i in range(10**9))", "for i in range(10**9):\n    pass"),
    "nested_loop": ("len([1 for i in range(10**4) for j in range(10**4)])",
                    "for i in range(10**4):\n    for j in range(10**4):\n        pass"),
    "str_bomb": ("'x' * 10**10", "x = 'x' * 10**10"),
    "list_bomb": ("[0] * 10**9", "x = [0] * 10**9"),
    "int_bomb": ("10**10**10", "x = 10**10**10"),
}
SLOTS = ("script", "condition", "timer", "payload")
SLOT_ELEMENT = {"script": "attack_script", "condition": "attack_flow", "timer": "attack_timer",
                "payload": "msg_attack"}


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def attack_bpmn(slot: str | None = None, code: str | None = None) -> bytes:
    """start -> script -> gateway (condition) -> throw (payload) -> user task (+ timer) -> end."""
    parts = dict(BENIGN)
    if slot is not None:
        parts[slot] = code
    p = {k: _xml_escape(v) for k, v in parts.items()}
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="attack_defs"
  targetNamespace="http://probidad.example/attack">
  <bpmn:message id="msg_attack" name="attack_msg"><bpmn:extensionElements>
    <spiffworkflow:messagePayload>{p["payload"]}</spiffworkflow:messagePayload>
  </bpmn:extensionElements></bpmn:message>
  <bpmn:process id="attack" name="Attack" isExecutable="true">
    <bpmn:laneSet id="ls"><bpmn:lane id="lane_oii" name="oii">
      <bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>attack_script</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>gw</bpmn:flowNodeRef><bpmn:flowNodeRef>attack_throw</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>review</bpmn:flowNodeRef><bpmn:flowNodeRef>attack_timer</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>end</bpmn:flowNodeRef><bpmn:flowNodeRef>late_end</bpmn:flowNodeRef>
    </bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="attack_script" scriptFormat="python"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing><bpmn:script>{p["script"]}</bpmn:script></bpmn:scriptTask>
    <bpmn:exclusiveGateway id="gw" default="safe_flow"><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>attack_flow</bpmn:outgoing><bpmn:outgoing>safe_flow</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:intermediateThrowEvent id="attack_throw"><bpmn:incoming>attack_flow</bpmn:incoming>
      <bpmn:incoming>safe_flow</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
      <bpmn:messageEventDefinition id="throw_def" messageRef="msg_attack"/></bpmn:intermediateThrowEvent>
    <bpmn:userTask id="review" name="Review"><bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:boundaryEvent id="attack_timer" attachedToRef="review" cancelActivity="true">
      <bpmn:outgoing>f6</bpmn:outgoing><bpmn:timerEventDefinition id="timer_def">
      <bpmn:timeDate xsi:type="bpmn:tFormalExpression">{p["timer"]}</bpmn:timeDate></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:endEvent id="end"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="late_end"><bpmn:incoming>f6</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="attack_script"/>
    <bpmn:sequenceFlow id="f2" sourceRef="attack_script" targetRef="gw"/>
    <bpmn:sequenceFlow id="attack_flow" sourceRef="gw" targetRef="attack_throw">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{p["condition"]}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="safe_flow" sourceRef="gw" targetRef="attack_throw"/>
    <bpmn:sequenceFlow id="f4" sourceRef="attack_throw" targetRef="review"/>
    <bpmn:sequenceFlow id="f5" sourceRef="review" targetRef="end"/>
    <bpmn:sequenceFlow id="f6" sourceRef="attack_timer" targetRef="late_end"/>
  </bpmn:process>
</bpmn:definitions>
""".encode()


def code_for(slot: str, attack: str) -> str:
    expression, script = CODE_ATTACKS[attack]
    return (script if slot == "script" else expression).replace("{pwned}", str(PWNED))


CODE_CASES = [(slot, attack) for slot in SLOTS for attack in CODE_ATTACKS]

_SHELL = ('<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">'
          '<bpmn:process id="attack" isExecutable="true"><bpmn:documentation>{body}</bpmn:documentation>'
          '<bpmn:startEvent id="s"/></bpmn:process></bpmn:definitions>')
LAUGHS = "".join(f'<!ENTITY l{i} "{("&l%d;" % (i - 1)) * 10}">' for i in range(1, 10))
XML_ATTACKS = {
    "xxe": ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            + _SHELL.format(body="&xxe;")).encode(),
    "billion_laughs": (f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY l0 "lol">{LAUGHS}]>'
                       + _SHELL.format(body="&l9;")).encode(),
    "external_dtd": ('<?xml version="1.0"?><!DOCTYPE d SYSTEM "http://127.0.0.1:9/evil.dtd">'
                     + _SHELL.format(body="x")).encode(),
    "parameter_entity": ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>'
                         + _SHELL.format(body="x")).encode(),
    "xinclude": _SHELL.format(body='<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" '
                                   'href="file:///etc/passwd" parse="text"/>').encode(),
    "utf16_xxe": ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
                  + _SHELL.format(body="&xxe;")).encode("utf-16"),
    "oversize": _SHELL.format(body="x" * (3 * 1024 * 1024)).encode(),
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    eng, _ = make_engine(tmp_path_factory.mktemp("attacks"), start=datetime(2025, 3, 3, 15, 0, tzinfo=UTC),
                         definitions=[ATTACK_DEFINITION, FIXTURE_DEFINITION], deploy=[FIXTURE_BPMN])
    return eng


def test_the_benign_template_is_valid_and_runs(engine):
    """The template itself passes: so each rejection below is caused by the attack alone."""
    assert [p for p in engine.validate(attack_bpmn(), "benign.bpmn") if p.severity == "error"] == []
    _inject(engine, attack_bpmn(), version=1)
    case_id = engine.start_case("attack", {"x": 1})
    assert [t.name for t in engine.tasks(case_id=case_id)] == ["review"]


@pytest.mark.parametrize(("slot", "attack"), CODE_CASES)
def test_code_attacks_are_rejected_at_validation_naming_the_element(engine, slot, attack):
    problems = engine.validate(attack_bpmn(slot, code_for(slot, attack)), f"{slot}-{attack}.bpmn")
    errors = [p for p in problems if p.severity == "error"]
    assert errors, (slot, attack)
    assert SLOT_ELEMENT[slot] in {p.element_id for p in errors}, errors


@pytest.mark.parametrize("attack", sorted(XML_ATTACKS))
def test_xml_attacks_are_rejected_at_validation(engine, attack):
    problems = engine.validate(XML_ATTACKS[attack], f"{attack}.bpmn")
    assert problems and all(p.severity == "error" for p in problems)
    text = " ".join(p.message for p in problems)
    assert "root:" not in text  # nothing of /etc/passwd leaked into a message
    assert any(word in text for word in ("DTD", "XInclude", "larger than")), text


def _inject(engine, xml: bytes, version: int | None = None) -> int:
    """Store a definition row directly, bypassing validation (as an attacker with DB access might)."""
    with engine.rt.uow_factory() as uow:
        latest = uow.definitions.latest("attack")
        number = version or ((latest.version + 1) if latest else 1)
        import hashlib

        uow.definitions.add(ProcessDefinition("attack", number, hashlib.sha256(xml).hexdigest(), xml,
                                              "injected.bpmn", "attacker", engine.rt.now(), "Attack"))
        uow.commit()
    return number


def _case_count(engine) -> int:
    return len(engine.cases(process_id="attack", limit=100000))


@pytest.mark.parametrize(("slot", "attack"), CODE_CASES)
def test_injected_code_is_refused_at_run_time_without_side_effects(engine, slot, attack):
    _inject(engine, attack_bpmn(slot, code_for(slot, attack)))
    before = _case_count(engine)
    with pytest.raises(SandboxViolation) as info:
        engine.start_case("attack", {"x": 1})
    message = str(info.value)
    assert "Traceback" not in message and len(message) < 600
    if slot != "payload":
        assert SLOT_ELEMENT[slot] in message or slot == "condition" and "gw" in message, message
    assert _case_count(engine) == before
    assert not PWNED.exists()
    # The engine is alive and still works.
    assert engine.start_case("fixture", {"channel": "web"})


@pytest.mark.parametrize("attack", sorted(XML_ATTACKS))
def test_injected_xml_attacks_are_refused_at_run_time(engine, attack):
    _inject(engine, XML_ATTACKS[attack])
    before = _case_count(engine)
    with pytest.raises(InvalidBpmn) as info:
        engine.start_case("attack", {"x": 1})
    assert "root:" not in str(info.value)
    assert _case_count(engine) == before
    assert engine.start_case("fixture", {"channel": "web"})


def test_a_loop_of_scripts_that_never_waits_is_rejected_and_stopped(engine):
    xml = attack_bpmn().replace(b'<bpmn:sequenceFlow id="safe_flow" sourceRef="gw" targetRef="attack_throw"/>',
                                b'<bpmn:sequenceFlow id="safe_flow" sourceRef="gw" targetRef="attack_script"/>')
    xml = xml.replace(b"<bpmn:incoming>f1</bpmn:incoming>",
                      b"<bpmn:incoming>f1</bpmn:incoming><bpmn:incoming>safe_flow</bpmn:incoming>")
    problems = engine.validate(xml, "spin.bpmn")
    assert any("could run forever" in p.message for p in problems), problems
    _inject(engine, xml)
    before = _case_count(engine)
    with pytest.raises(SandboxViolation, match="loop that never waits"):
        engine.start_case("attack", {"x": 1})
    assert _case_count(engine) == before


@pytest.fixture(scope="module")
def attack_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("attack_files")
    paths = {}
    for slot, attack in CODE_CASES:
        path = folder / f"{slot}-{attack}.bpmn"
        path.write_bytes(attack_bpmn(slot, code_for(slot, attack)))
        paths[(slot, attack)] = path
    for attack, xml in XML_ATTACKS.items():
        path = folder / f"xml-{attack}.bpmn"
        path.write_bytes(xml)
        paths[("xml", attack)] = path
    return paths


def _cli(tmp_path, *args):
    env = dict(os.environ, PROBIDAD_INSTANCE=str(tmp_path / "instance"))
    env.pop("PROBIDAD_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "engine.cli", *args], env=env, capture_output=True, text=True,
                          timeout=300, cwd=ROOT, check=False)


def test_cli_validate_rejects_every_attack_with_clear_lines(tmp_path, attack_files):
    assert _cli(tmp_path, "init").returncode == 0
    proc = _cli(tmp_path, "bpmn", "validate", *[str(p) for p in attack_files.values()])
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert all(line.startswith(("error:", "warning:")) for line in lines), proc.stderr
    assert "root:" not in proc.stdout + proc.stderr
    assert not any(line.endswith(": ok") for line in proc.stdout.splitlines()), proc.stdout
    for (slot, attack), path in attack_files.items():
        mine = [line for line in lines if line.startswith(f"error: {path.name}")]
        assert mine, (slot, attack)
        if slot != "xml":
            assert any(f"[{SLOT_ELEMENT[slot]}]" in line for line in mine), mine
    single = _cli(tmp_path, "bpmn", "validate", str(attack_files[("script", "import")]))
    assert single.returncode == 1 and "[attack_script]" in single.stderr
