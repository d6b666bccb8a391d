"""The designer blueprint: the page, its JSON API (docs/designer.md), roles and CSRF."""

from __future__ import annotations

import re

import pytest

from tests.helpers import FIXTURE_BPMN
from tests.web.conftest import AuthActions, build_world
from web import create_app

ROOT = FIXTURE_BPMN.parents[2]
DENUNCIA = (ROOT / "bpmn" / "denuncia.bpmn").read_text(encoding="utf-8")
API = "/disenador/api"


@pytest.fixture
def setup(tmp_path):
    world = build_world(tmp_path)
    app = create_app({"TESTING": True, "SECRET_KEY": "designer-secret-0123456789abcdef"}, engine=world.engine)
    return world, app


def _login(app, world, username: str):
    client = app.test_client()
    AuthActions(client, world).login(username)
    page = client.get("/disenador")
    token = re.search(r'data-csrf="([^"]+)"', page.get_data(as_text=True))
    return client, (token.group(1) if token else None), page


def _post(client, token, path, body):
    return client.post(API + path, json=body, headers={"X-CSRFToken": token})


def test_the_page_and_the_json_api_for_an_auditor(setup):
    world, app = setup
    client, token, page = _login(app, world, "auditor")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-api="/disenador/api"' in html and "designer/designer.js" in html and token
    assert "'unsafe-inline'" not in page.headers["Content-Security-Policy"]
    meta = client.get(API + "/meta").get_json()
    assert {"id": "oii", "label": "Oficina de Integridad Institucional"} in meta["roles"]
    assert "auditor" not in {r["id"] for r in meta["roles"]}
    assert "acknowledge_receipt" in {f["id"] for f in meta["forms"]}
    acuse = next(p for p in meta["policies"] if p["id"] == "denuncia.acuse")
    assert set(acuse) == {"id", "label", "unit", "length"}
    processes = {p["process_id"]: p for p in client.get(API + "/processes").get_json()}
    version = processes["denuncia"]["versions"][0]
    assert version["version"] == 1 and version["running_cases"] == 2 and "T" in version["deployed_at"]
    xml = client.get(API + "/processes/denuncia/1/xml")
    assert xml.mimetype == "application/xml" and xml.get_data(as_text=True) == DENUNCIA
    assert client.get(API + "/processes/denuncia/9/xml").status_code == 404

    ok = _post(client, token, "/validate", {"xml": DENUNCIA}).get_json()
    assert ok == {"ok": True, "problems": []}
    broken = DENUNCIA.replace('value="classify"', 'value="no_such_form"')
    bad = _post(client, token, "/validate", {"xml": broken})
    assert bad.status_code == 200 and bad.get_json()["ok"] is False
    assert {"element_id": "classify", "message": "unknown form 'no_such_form'", "severity": "error"} in (
        bad.get_json()["problems"])

    run = _post(client, token, "/dryrun", {"xml": DENUNCIA, "start_date": "2025-03-03",
                                           "decisions": {"channel": "web", "anonymous": True,
                                                         "protection_requested": False}}).get_json()
    assert set(run) == {"path", "tasks", "problems"}
    assert run["path"][0] == {"element_id": "complaint_received", "name": "Denuncia recibida", "type": "startEvent"}

    changed = DENUNCIA.replace('name="Acusar recibo"', 'name="Acusar recibo (v2)"')
    diff = _post(client, token, "/diff", {"xml": changed}).get_json()
    assert diff["process_id"] == "denuncia" and diff["against_version"] == 1
    assert [c["element_id"] for c in diff["changed"]] == ["acknowledge_receipt"]

    assert _post(client, token, "/deploy", {"xml": broken}).status_code == 422
    deployed = _post(client, token, "/deploy", {"xml": changed})
    assert deployed.status_code == 200
    assert deployed.get_json()["process_id"] == "denuncia" and deployed.get_json()["version"] == 2
    with world.engine.rt.uow_factory(readonly=True) as uow:
        entries = [e for e in uow.audit.all() if e.action == "process.deploy" and e.details.get("version") == 2]
    assert [e.actor for e in entries] == [world.users["auditor"].id]


def test_drafts_round_trip_per_entity(setup):
    world, app = setup
    client, token, _ = _login(app, world, "auditor")
    assert client.get(API + "/drafts").get_json() == []
    created = _post(client, token, "/drafts", {"process_id": "denuncia", "xml": DENUNCIA})
    assert created.status_code == 201
    draft_id = created.get_json()["id"]
    listed = client.get(API + "/drafts").get_json()
    assert [(d["id"], d["process_id"], d["author"]) for d in listed] == [(draft_id, "denuncia", "auditor")]
    assert client.get(f"{API}/drafts/{draft_id}").get_json() == {"xml": DENUNCIA, "process_id": "denuncia"}
    assert client.get(f"{API}/drafts/unknown").status_code == 404
    hostile = '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>'
    refused = _post(client, token, "/drafts", {"xml": hostile})
    assert refused.status_code == 422 and "DTD" in refused.get_json()["error"]
    assert world.engine.list_drafts(tenant="otra") == []


@pytest.mark.parametrize("username", ["assigned", "admin", "custodian"])
def test_other_roles_are_refused(setup, username):
    world, app = setup
    client, _token, page = _login(app, world, username)
    assert page.status_code == 403
    response = client.get(API + "/meta")
    assert response.status_code == 403 and response.is_json and "error" in response.get_json()


def test_anonymous_csrf_and_content_type(setup):
    world, app = setup
    anonymous = app.test_client()
    assert anonymous.get("/disenador").status_code == 302
    response = anonymous.get(API + "/processes")
    assert response.status_code == 401 and response.is_json
    client, token, _ = _login(app, world, "auditor")
    no_token = client.post(API + "/validate", json={"xml": DENUNCIA})
    assert no_token.status_code == 400 and no_token.is_json
    text = client.post(API + "/validate", data=DENUNCIA, content_type="text/plain", headers={"X-CSRFToken": token})
    assert text.status_code == 415 and text.is_json
    foreign = client.post(API + "/validate", json={"xml": DENUNCIA},
                          headers={"X-CSRFToken": token, "Origin": "https://evil.example"})
    assert foreign.status_code == 403 and foreign.is_json
    assert _post(client, token, "/dryrun", {"xml": DENUNCIA, "start_date": "03/03/2025"}).status_code == 400
    assert _post(client, token, "/validate", {"xml": ""}).status_code == 400
    assert world.engine.cases(process_id="denuncia", limit=100) and len(world.engine.cases(process_id="denuncia")) == 2
