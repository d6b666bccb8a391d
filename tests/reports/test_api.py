"""REST API /api/v1: tokens (hashed, scoped, revocable), problem details, media types, isolation,
and schemathesis against the live OpenAPI document (no 500; every response matches its schema)."""

from __future__ import annotations

import sqlite3

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from engine import bootstrap
from engine.errors import AccessDenied
from engine.testing import make_engine
from web import create_app

INTAKE = {"channel": "web", "reason_categories": ["bribery"], "fact_date": "2025-01-02",
          "narrative": "Relato CANARYAPI", "anonymous": True}


@pytest.fixture(scope="module")
def api_world(tmp_path_factory):
    engine, clock = make_engine(tmp_path_factory.mktemp("api"))
    bootstrap.create_dev_keys(engine.settings)
    engine.create_entity("otra", "Otra entidad")
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-0123456789abcdef"}, engine=engine)
    tokens = {name: engine.create_api_token(entity, role, name)
              for name, entity, role in (("sis-oii", "default", "oii"), ("sis-chief", "default", "chief"),
                                         ("sis-otra", "otra", "oii"), ("sis-hr", "default", "hr"))}
    return engine, app, tokens


def _h(tokens, name):
    return {"Authorization": f"Bearer {tokens[name][1]}"}


def test_tokens_are_hashed_at_rest_and_revocable(api_world, tmp_path):
    engine, app, _tokens = api_world
    token_id, token = engine.create_api_token("default", "oii", "temporal")
    path = engine.settings.database.removeprefix("sqlite:///")
    dump = b"".join(str(row).encode() for row in sqlite3.connect(path).execute("SELECT * FROM api_tokens"))
    assert token.encode() not in dump and token[4:20].encode() not in dump
    client = app.test_client()
    assert client.get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    engine.revoke_api_token(token_id)
    response = client.get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401 and response.mimetype == "application/problem+json"
    with pytest.raises(AccessDenied):
        engine.authenticate_api_token(token)
    assert all("token_hash" not in row and token not in str(row) for row in engine.api_tokens())


def test_problem_details_and_media_types(api_world):
    _engine, app, tokens = api_world
    client = app.test_client()
    response = client.get("/api/v1/cases")
    assert response.status_code == 401
    assert response.get_json()["status"] == 401 and response.get_json()["type"].startswith("https://")
    refused = client.post("/api/v1/cases", data='{"channel": "web"}', content_type="text/plain",
                          headers=_h(tokens, "sis-oii"))
    assert refused.status_code == 415 and refused.mimetype == "application/problem+json"
    invalid = client.post("/api/v1/cases", json={"channel": "fax"}, headers=_h(tokens, "sis-oii"))
    assert invalid.status_code == 422 and "channel" in invalid.get_json()["errors"]
    assert client.get("/api/v1/cases/nope", headers=_h(tokens, "sis-oii")).status_code == 404
    assert client.post("/api/v1/cases", json=INTAKE, headers=_h(tokens, "sis-hr")).status_code == 403


def test_intake_tasks_and_isolation(api_world):
    engine, app, tokens = api_world
    client = app.test_client()
    created = client.post("/api/v1/cases", json=INTAKE, headers=_h(tokens, "sis-oii"))
    assert created.status_code == 201, created.get_json()
    case = created.get_json()
    assert case["status"] == "open" and case["facts"]["channel"] == ["web"]
    assert "CANARYAPI" not in created.get_data(as_text=True)
    assert engine.content(case["id"], actor="test")["narrative"] == "Relato CANARYAPI"
    assert client.get(f"/api/v1/cases/{case['id']}", headers=_h(tokens, "sis-otra")).status_code == 404
    tasks = client.get(f"/api/v1/tasks?case_id={case['id']}", headers=_h(tokens, "sis-oii")).get_json()["items"]
    assert [t["name"] for t in tasks] == ["acknowledge_receipt"]
    assert client.get(f"/api/v1/tasks?case_id={case['id']}", headers=_h(tokens, "sis-otra")).get_json() == {
        "items": []}
    claimed = client.post(f"/api/v1/tasks/{tasks[0]['id']}/claim", headers=_h(tokens, "sis-oii"))
    assert claimed.status_code == 200 and claimed.get_json()["assignee"].startswith("api:")
    done = client.post(f"/api/v1/tasks/{tasks[0]['id']}/complete", headers=_h(tokens, "sis-oii"),
                       json={"data": {"ack_method": "platform", "ack_date": "2025-03-03"}})
    assert done.status_code == 200, done.get_json()
    states = {d["policy"]: d["state"] for d in done.get_json()["case"]["deadlines"]}
    assert states["denuncia.acuse"] == "cancelled"
    deadlines = client.get("/api/v1/deadlines?outcome=on_time", headers=_h(tokens, "sis-oii")).get_json()["items"]
    assert any(d["case_id"] == case["id"] and d["policy"] == "denuncia.acuse" for d in deadlines)


def test_exports_need_an_export_role_and_are_audited(api_world):
    engine, app, tokens = api_world
    client = app.test_client()
    assert client.get("/api/v1/exports/cases", headers=_h(tokens, "sis-hr")).status_code == 403
    response = client.get("/api/v1/exports/cases?format=csv&fields=id,status", headers=_h(tokens, "sis-chief"))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment")
    with engine.rt.uow_factory(readonly=True) as uow:
        last = [e for e in uow.audit.all() if e.action == "export.cases"][-1]
    assert last.actor.startswith("api:") and last.details["tenant"] == "default"
    reprac = client.get("/api/v1/exports/reprac?year=2025&quarter=1&format=xlsx", headers=_h(tokens, "sis-chief"))
    assert reprac.status_code == 200


def test_openapi_document_is_generated_from_the_code(api_world):
    _engine, app, _tokens = api_world
    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    assert set(doc["paths"]) == {"/cases", "/cases/{case_id}", "/tasks", "/tasks/{task_id}/claim",
                                 "/tasks/{task_id}/complete", "/deadlines", "/exports/cases", "/exports/reprac"}
    intake = doc["components"]["schemas"]["Intake"]
    assert "bribery" in intake["properties"]["reason_categories"]["items"]["enum"]  # from the start form
    assert "identity" not in intake["properties"]


def test_schemathesis_against_the_live_openapi_document(api_world):
    """Every operation, positive examples: no 500, documented status and media type, schema-valid bodies."""
    _engine, app, tokens = api_world
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 9

    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                  database=None)
        def run(case):
            case.call_and_validate(headers=_h(tokens, "sis-chief"), checks=checks)

        run()
