"""End to end in Debian's Chromium against `probidad run` on 127.0.0.1 (issue 8 acceptance).

An auditor logs in with TOTP, opens `denuncia` in the designer, adds a user task in the OII lane
with an SLA timer, validates (the deliberate error, a missing form, is highlighted on the new
element), fixes it in the properties panel, runs a dry run and deploys version 2 after the diff.
A case started afterwards follows the new flow; a case started before keeps version 1.
Screenshots go to docs/screenshots/designer-*.png.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from pathlib import Path

import pyotp
import pytest

from tests.e2e.common import ARGS, CHROMIUM, PROBIDAD, SHOTS, init_demo, start_server, stop_server

pytestmark = pytest.mark.e2e

START_DATA = {"channel": "web", "anonymous": True, "protection_requested": False}
ACK = {"ack_method": "platform", "ack_date": "2025-03-04"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`probidad init` then `probidad run`; yields (base_url, cli runner, demo users)."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (apt-get install -y chromium)")
    instance = tmp_path_factory.mktemp("designer-instance")
    env = {**os.environ, "PROBIDAD_INSTANCE": str(instance), "PROBIDAD_TIMER_INTERVAL": "3600"}
    env.pop("PROBIDAD_DATABASE_URL", None)
    users = init_demo(env)
    assert "demo_auditor" in users, sorted(users)

    def cli(*args: str) -> str:
        proc = subprocess.run([PROBIDAD, *args], env=env, capture_output=True, text=True, timeout=300, check=False)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    proc, base = start_server(env)
    yield base, cli, users
    stop_server(proc)


@pytest.fixture(scope="module")
def page(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        context = chromium.new_context(viewport={"width": 1600, "height": 1000}, locale="es-PE")
        yield context.new_page()
        context.close()
        chromium.close()


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"designer-{name}.png"))


def _start_case(cli) -> str:
    return cli("case", "start", "denuncia", "--data", json.dumps(START_DATA), "--as", "demo_mesa_de_partes") \
        .strip().splitlines()[-1]


def _ready(cli, case_id: str) -> dict:
    return {t["name"]: t for t in json.loads(cli("task", "list", "--case", case_id, "--json"))}


def _login(page, base: str, username: str, password: str, secret: str) -> None:
    page.goto(f"{base}/ingresar")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_selector("#code")
    page.fill("#code", pyotp.TOTP(secret).now())
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/bandeja.*"))


def _until(page, js: str, timeout: float = 30.0):
    """Poll a JS function until it returns something truthy (wait_for_function evals, which the CSP forbids)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = page.evaluate(js)
        if value:
            return value
        page.wait_for_timeout(200)
    raise AssertionError(f"timed out waiting for {js}")


def _zoom_to(page, element_id: str, scale: float = 0.9) -> None:
    """Zoom the canvas around an element, so the screenshot shows it readably."""
    page.evaluate("""([id, scale]) => { const m = window.probidadDesigner.modeler, canvas = m.get('canvas');
      const e = m.get('elementRegistry').get(id), outer = canvas.viewbox().outer;
      const w = outer.width / scale, h = outer.height / scale;
      canvas.viewbox({ x: e.x + e.width / 2 - w / 2, y: e.y + e.height / 2 - h / 2, width: w, height: h }); }""",
                  [element_id, scale])
    page.wait_for_timeout(200)


def _set_select(page, entry: str, value: str) -> None:
    """Choose a value in a probidad properties-panel select (opening the group if it is closed)."""
    header = page.locator("[data-group-id='group-probidad'] .bio-properties-panel-group-header")
    if header.count() and "open" not in (header.first.get_attribute("class") or ""):
        header.first.click()
    page.select_option(f"#bio-properties-panel-{entry}", value)
    page.wait_for_timeout(300)


ADD_TASK = """() => {
  const d = window.probidadDesigner, m = d.modeler;
  const reg = m.get('elementRegistry'), modeling = m.get('modeling'), factory = m.get('bpmnFactory');
  const shapes = m.get('elementFactory');
  const ack = reg.get('acknowledge_receipt'), gw = reg.get('protection_gateway');
  const old = reg.get('flow_acknowledge_receipt_to_protection_gateway');
  const task = modeling.appendShape(ack, { type: 'bpmn:UserTask', businessObject: factory.create('bpmn:UserTask',
    { id: 'double_check', name: 'Revisión adicional' }) }, { x: 1000, y: 900 });
  modeling.connect(task, gw);
  modeling.removeConnection(old);
  const boundary = shapes.createShape({ type: 'bpmn:BoundaryEvent', eventDefinitionType: 'bpmn:TimerEventDefinition' });
  const timer = modeling.createShape(boundary, { x: task.x + task.width / 2, y: task.y + task.height }, task,
    { attach: true });
  modeling.updateProperties(timer, { id: 'double_check_timer', name: 'Vence la revisión' });
  modeling.appendShape(timer, { type: 'bpmn:EndEvent', businessObject: factory.create('bpmn:EndEvent',
    { id: 'double_check_overdue_end', name: 'Revisión vencida' }) }, { x: task.x + 200, y: task.y + 180 });
  m.get('selection').select(task);
  m.get('canvas').scrollToElement(task);
  return task.id;
}"""


def test_auditor_designs_validates_simulates_and_deploys_version_2(server, page):
    base, cli, users = server
    old_case = _start_case(cli)
    assert set(_ready(cli, old_case)) == {"acknowledge_receipt"}

    password, secret = users["demo_auditor"][0], users["demo_auditor"][1]
    _login(page, base, "demo_auditor", password, secret)
    page.goto(f"{base}/disenador")
    _until(page, "() => !!(window.probidadDesigner && window.probidadDesigner.modeler)")
    page.evaluate("() => window.probidadDesigner.ready")

    # Open the deployed `denuncia`, version 1.
    page.click("[data-action=open]")
    page.wait_for_selector("dialog.pd-dialog #pd-open-process")
    page.select_option("#pd-open-process", "denuncia")
    page.click("dialog.pd-dialog .pd-primary")
    _until(page, "() => document.querySelector('.pd-title').textContent.includes('denuncia v1')")
    status = page.inner_text(".pd-status")
    exported = page.evaluate("() => window.probidadDesigner.getXml()")
    assert "messagePayload" in exported and "spiffworkflow:property" in exported, status
    page.wait_for_selector("[data-element-id=acknowledge_receipt]")
    _shot(page, "01-open-denuncia")

    # Add a user task in the OII lane, with an SLA timer; leave its form unset (the deliberate error).
    page.evaluate(ADD_TASK)
    page.wait_for_selector("[data-element-id=double_check]")
    page.evaluate("() => window.probidadDesigner.modeler.get('selection').select("
                  "window.probidadDesigner.modeler.get('elementRegistry').get('double_check_timer'))")
    _set_select(page, "probidad-sla", "denuncia.evaluacion")
    _zoom_to(page, "double_check")
    xml = page.evaluate("() => window.probidadDesigner.getXml()")
    assert 'sla_due("denuncia.evaluacion")' in xml
    assert re.search(r'<bpmn:lane id="lane_oii" name="oii">.*?<bpmn:flowNodeRef>double_check</bpmn:flowNodeRef>',
                     xml, re.S), "the new task is not in the OII lane"
    _shot(page, "02-task-and-timer")

    page.click("[data-action=validate]")
    page.wait_for_selector(".pd-problems")
    page.wait_for_selector("[data-element-id=double_check].probidad-error")
    _zoom_to(page, "double_check")
    problems = page.inner_text(".pd-problems")
    assert "unknown form 'double_check'" in problems and "double_check" in problems
    _shot(page, "03-validation-error")

    # Fix it in the properties panel: the task uses the acknowledgement form.
    page.evaluate("() => window.probidadDesigner.modeler.get('selection').select("
                  "window.probidadDesigner.modeler.get('elementRegistry').get('double_check'))")
    _set_select(page, "probidad-form", "acknowledge_receipt")
    page.click("[data-action=validate]")
    _until(page, "() => document.querySelector('.pd-status').classList.contains('pd-ok')")
    assert page.locator(".probidad-error").count() == 0

    # Dry run from Monday 3 March 2025 with the complainant's choices.
    page.click("[data-action=dryrun]")
    page.wait_for_selector("#pd-dry-json")
    page.fill("#pd-dry-start", "2025-03-03")
    page.fill("#pd-dry-json", json.dumps({**START_DATA, **ACK, "admissibility": "admissible",
                                          "classification": "corruption", "bad_faith": False,
                                          "route_targets": ["oci"], "fact_date": "2025-02-01"}))
    page.click("dialog.pd-dialog .pd-primary")
    page.wait_for_selector(".pd-dryrun")
    side = page.inner_text(".pd-side")
    assert "Revisión adicional" in side and "denuncia.evaluacion" in side
    assert page.locator("[data-element-id=double_check].probidad-path").count() >= 1
    assert "pd-ok" in page.get_attribute(".pd-status", "class"), page.inner_text(".pd-status")
    _zoom_to(page, "double_check", 0.6)
    _shot(page, "04-dry-run")

    # Deploy: the diff dialog first, then version 2.
    page.click("[data-action=deploy]")
    page.wait_for_selector("dialog.pd-dialog .pd-diff-added")
    dialog = page.inner_text("dialog.pd-dialog")
    assert "double_check" in dialog and "denuncia.evaluacion" in dialog
    _shot(page, "05-diff-before-deploy")
    page.click("dialog.pd-dialog .pd-primary")
    _until(page, "() => document.querySelector('.pd-status').textContent.includes('2')"
                 " && document.querySelector('.pd-status').classList.contains('pd-ok')")
    _shot(page, "06-deployed-v2")

    # A new case follows version 2; the old case keeps version 1.
    new_case = _start_case(cli)
    cli("task", "complete", _ready(cli, new_case)["acknowledge_receipt"]["id"], "--data", json.dumps(ACK),
        "--as", "demo_oii")
    assert set(_ready(cli, new_case)) == {"double_check"}
    assert _ready(cli, new_case)["double_check"]["lane"] == "oii"
    assert _ready(cli, new_case)["double_check"]["due_at"]
    cli("task", "complete", _ready(cli, old_case)["acknowledge_receipt"]["id"], "--data", json.dumps(ACK),
        "--as", "demo_oii")
    assert set(_ready(cli, old_case)) == {"assess_admissibility"}
    assert json.loads(cli("case", "show", old_case, "--json"))["process_version"] == 1
    assert json.loads(cli("case", "show", new_case, "--json"))["process_version"] == 2
    assert cli("audit", "verify").startswith("audit chain ok")
