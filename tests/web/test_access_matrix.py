"""SECURITY.md test 3: every endpoint × method × role against the checked-in table in
access_matrix.py. A new endpoint without a row fails; so does any cell that differs.

Each role gets its own world (fresh engine, users, complaints A and B) and a fresh login before
every request. CSRF is off here (tests/web/test_security.py covers it); bodies are empty, so a
state-changing endpoint answers with its validation path, not a side effect on other roles.
Cells are "STATUS" or "STATUS /redirect-path".
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import pytest

from tests.web.access_matrix import EXPECTED, ROLES
from tests.web.conftest import build_world
from web import create_app

METHODS = ("GET", "POST")
HIGH_LIMITS = {name: (100_000, 1) for name in ("login", "login_global", "totp", "totp_global", "receipt",
                                               "receipt_global", "intake", "upload")}


def _endpoints(app) -> list[tuple[str, str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in METHODS:
            if method in rule.methods:
                found.append((rule.endpoint, method, rule.rule))
    return sorted(found)


def _url(app, endpoint: str, world) -> str:
    values = {"case_id": world.cases["a"], "task_id": world.cases["a_task"],
              "attachment_id": world.cases["a_attachment"], "user_id": world.users["auditor"].id, "notice_id": 1,
              "process_id": "denuncia", "version": 1, "draft_id": "0" * 32}  # designer (issue 8)
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **{k: v for k, v in values.items() if k in rule.arguments})


def _login(client, role: str, world) -> None:
    if role == "anonymous":
        return
    if role.startswith("complainant_"):
        client.post("/seguimiento", data={"receipt": world.receipts[role[-1]]})
        return
    client.post("/ingresar", data={"username": role, "password": "a long test password"})
    response = client.post("/ingresar/codigo", data={"code": world.totp(role)})
    assert response.status_code == 302, f"{role} could not log in"


def _cell(response) -> str:
    if 300 <= response.status_code < 400:
        return f"{response.status_code} {urlsplit(response.headers['Location']).path}"
    return str(response.status_code)


def _observe(role: str, tmp_path) -> dict[tuple[str, str], str]:
    world = build_world(tmp_path / role)
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "SECRET_KEY": "matrix-secret-0123456789abcdef",
                      "RATE_LIMITS": HIGH_LIMITS}, engine=world.engine)
    observed = {}
    for endpoint, method, _rule in _endpoints(app):
        client = app.test_client()
        _login(client, role, world)
        url = _url(app, endpoint, world)
        response = client.get(url) if method == "GET" else client.post(url, data={})
        observed[(endpoint, method)] = _cell(response).replace(world.cases["a"], "{case}")
    return observed


def test_every_endpoint_has_a_row(world):
    app = create_app({"TESTING": True}, engine=world.engine)
    missing = [(e, m) for e, m, _ in _endpoints(app) if (e, m) not in EXPECTED]
    stale = [key for key in EXPECTED if key not in {(e, m) for e, m, _ in _endpoints(app)}]
    assert not missing, f"endpoints without a row in tests/web/access_matrix.py: {missing}"
    assert not stale, f"rows for endpoints that no longer exist: {stale}"


@pytest.mark.slow
@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(role, tmp_path):
    observed = _observe(role, tmp_path)
    if os.environ.get("PROBIDAD_MATRIX_PRINT"):
        for key, cell in sorted(observed.items()):
            print(f"MATRIX {role} {key[0]} {key[1]} {cell}")
    wrong = {key: (EXPECTED.get(key, {}).get(role), cell) for key, cell in observed.items()
             if EXPECTED.get(key, {}).get(role) != cell}
    report = "; ".join(f"{k}: {v[0]!r} != {v[1]!r}" for k, v in sorted(wrong.items()))
    assert not wrong, "expected vs observed: " + report
