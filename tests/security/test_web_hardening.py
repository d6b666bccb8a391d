"""Web hardening generated from the app's url_map (SECURITY.md property 10, tests 10 and 11; issue 11
item 4).

* CSRF: every rule that accepts POST/PUT/PATCH/DELETE is called without a token, anonymously and
  inside a signed-in officer's session: 400/403 and nothing written (the audit log does not grow).
  Token-authenticated JSON API routes (`/api/v1`) are CSRF-exempt by design, so they must instead
  refuse a request that carries only the session cookie (401).
* A foreign Origin (or Sec-Fetch-Site: cross-site) is refused on every unsafe route, token or not.
* JSON endpoints refuse text/plain bodies (the classic CSRF-by-form trick).
* Every GET page, anonymous and signed in: CSP with `frame-ancestors 'none'` and no third-party
  origin, nosniff, Referrer-Policy, X-Frame-Options, and `no-store` on everything but static files.
* Production defaults: `__Host-` cookie with Secure, HttpOnly, SameSite=Strict, no Domain; HSTS.
* Downloads: Content-Disposition attachment and nosniff.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from tests.web.conftest import AuthActions, csrf_token

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def _url(rule, world) -> str:
    """The rule's path with ids of complaint A (or harmless placeholders)."""
    values = {"case_id": world.cases["a"], "task_id": world.cases["a_task"],
              "attachment_id": world.cases["a_attachment"], "user_id": world.users["unassigned"].id,
              "notice_id": 1, "process_id": "denuncia", "version": 1, "draft_id": "x", "filename": "x.css"}
    path = rule.rule
    for arg in rule.arguments:
        path = re.sub(rf"<(?:[a-z]+:)?{arg}>", str(values.get(arg, "x")), path)
    return path


def _unsafe_rules(app):
    return sorted(((r, m) for r in app.url_map.iter_rules() for m in sorted(r.methods & UNSAFE)),
                  key=lambda x: (x[0].rule, x[1]))


def _audit_size(world) -> int:
    with world.engine.rt.uow_factory(readonly=True) as uow:
        return len(list(uow.audit.all()))


def _signed_in(app, world, username: str):
    client = app.test_client()
    AuthActions(client, world).login(username)
    return client


def test_the_generated_list_is_not_empty(app):
    rules = _unsafe_rules(app)
    assert len(rules) >= 30
    assert {r.endpoint.split(".")[0] for r, _m in rules} >= {"auth", "intake", "followup", "inbox", "cases",
                                                              "admin", "designer", "api"}


@pytest.mark.parametrize("who", ["anonymous", "assigned", "admin", "auditor"])
def test_every_unsafe_route_needs_a_csrf_token(app, world, who):
    client = app.test_client() if who == "anonymous" else _signed_in(app, world, who)
    if who == "anonymous":
        AuthActions(client, world).receipt("a")  # a complainant session: cookie present, no token
    before = _audit_size(world)
    tried = 0
    for rule, method in _unsafe_rules(app):
        path = _url(rule, world)
        response = client.open(path, method=method, data={"text": "x", "receipt": world.receipts["b"]})
        tried += 1
        if rule.endpoint.startswith("api."):
            assert response.status_code == 401, (path, method, response.status_code)  # a cookie is no credential
        else:
            assert response.status_code in (400, 403), (path, method, response.status_code)
    assert tried >= 30
    assert _audit_size(world) == before, "a refused request wrote something"


def test_foreign_origin_is_refused_on_every_unsafe_route(app, world):
    client = _signed_in(app, world, "assigned")
    token = csrf_token(client, "/bandeja")
    for rule, method in _unsafe_rules(app):
        path = _url(rule, world)
        for headers in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"},
                        {"Origin": "http://localhost.evil.example"}):
            response = client.open(path, method=method, data={"csrf_token": token},
                                   headers={**headers, "X-CSRFToken": token})
            assert response.status_code == 403, (path, method, headers, response.status_code)


def test_json_endpoints_refuse_text_plain(app, world):
    auditor = _signed_in(app, world, "auditor")
    token = _designer_token(auditor)
    designer = [r for r, m in _unsafe_rules(app) if r.endpoint.startswith("designer.")]
    assert designer
    for rule in designer:
        response = auditor.post(_url(rule, world), data='{"xml": "<x/>"}', content_type="text/plain",
                                headers={"X-CSRFToken": token})
        assert response.status_code == 415, (rule.rule, response.status_code)
    _id, bearer = world.engine.create_api_token("default", "oii", "sistema")
    api = app.test_client()
    task = world.engine.tasks(case_id=world.cases["b"])[0].id  # unclaimed, in the token's entity and lane
    # Every API route that reads a body (claiming reads none).
    for path in ("/api/v1/cases", f"/api/v1/tasks/{task}/complete"):
        response = api.post(path, data='{"data": {}}', content_type="text/plain",
                            headers={"Authorization": f"Bearer {bearer}"})
        assert response.status_code == 415, (path, response.status_code)


def _designer_token(client) -> str:
    page = client.get("/disenador").get_data(as_text=True)
    found = re.search(r'name="csrf-token" content="([^"]+)"', page) or re.search(r'csrf_token" value="([^"]+)"', page)
    assert found, "the designer page carries no CSRF token"
    return found.group(1)


def _pages(app, world):
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.rule.startswith("/static"):
            yield rule, _url(rule, world)


@pytest.mark.parametrize("who", ["anonymous", "complainant", "assigned", "chief", "auditor", "admin"])
def test_security_headers_on_every_page(app, world, who):
    if who == "anonymous":
        client = app.test_client()
    elif who == "complainant":
        client = app.test_client()
        AuthActions(client, world).receipt("a")
    else:
        client = _signed_in(app, world, who)
    checked = 0
    for _rule, path in _pages(app, world):
        response = client.get(path)
        headers = response.headers
        csp = headers.get("Content-Security-Policy", "")
        assert "frame-ancestors 'none'" in csp or "sandbox" in csp, path
        assert not re.search(r"https?://|\*|'unsafe-inline'|'unsafe-eval'", csp), (path, csp)
        assert headers.get("X-Content-Type-Options") == "nosniff", path
        assert headers.get("Referrer-Policy") == "no-referrer", path
        assert headers.get("X-Frame-Options") == "DENY", path
        assert "no-store" in headers.get("Cache-Control", ""), path
        checked += 1
    assert checked >= 35


def test_static_files_are_cacheable_but_still_nosniff(client):
    response = client.get("/static/js/steps.js")
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_production_defaults_set_cookie_flags_and_hsts(world):
    world.engine.settings = replace(world.engine.settings, env="production", secret_key="s" * 40)
    from web import create_app

    app = create_app({"TESTING": True}, engine=world.engine)
    client = app.test_client()
    response = client.get("/ingresar", base_url="https://localhost")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-probidad=")
    for flag in ("Secure", "HttpOnly", "SameSite=Strict", "Path=/"):
        assert flag in cookie
    assert "Domain=" not in cookie and "Expires=" not in cookie.split(";", 1)[0]
    assert "max-age=" in response.headers["Strict-Transport-Security"]
    assert app.config["SECRET_KEY"] == "s" * 40


def test_downloads_are_attachments_with_nosniff(app, world, auth, client):
    auth.login("assigned")
    attachment = client.get(f"/casos/{world.cases['a']}/adjuntos/{world.cases['a_attachment']}")
    chief = _signed_in(app, world, "chief")
    downloads = [attachment, chief.get("/tablero/exportar?formato=csv"), chief.get("/tablero/exportar?formato=xlsx"),
                 chief.get("/tablero/reprac?formato=csv&anio=2025&trimestre=1")]
    token = csrf_token(app.test_client(), "/denuncia")
    public = app.test_client()
    token = csrf_token(public, "/denuncia")
    downloads.append(public.post("/denuncia/comprobante.pdf", data={"receipt": world.receipts["a"],
                                                                      "csrf_token": token}))
    _id, bearer = world.engine.create_api_token("default", "oii", "sistema")
    downloads.append(app.test_client().get("/api/v1/exports/cases?format=csv",
                                           headers={"Authorization": f"Bearer {bearer}"}))
    for response in downloads:
        assert response.status_code == 200, response.request.path
        assert response.headers["Content-Disposition"].startswith("attachment"), response.request.path
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert attachment.headers["Content-Type"] == "application/octet-stream"
    assert "sandbox" in attachment.headers["Content-Security-Policy"]


def test_hostile_attachment_name_cannot_break_the_header(app, world, auth, client):
    evil = 'x"; filename*=UTF-8\'\'evil.html; Set-Cookie: a=b; ../../.html'
    att = world.engine.add_attachment(world.cases["a"], evil, b"<script>alert(1)</script>", "text/html",
                                      "complainant")
    auth.login("assigned")
    response = client.get(f"/casos/{world.cases['a']}/adjuntos/{att}")
    disposition = response.headers["Content-Disposition"]
    assert response.status_code == 200 and disposition.startswith("attachment")
    assert "\r" not in disposition and "\n" not in disposition and disposition.count('"') == 2
    assert "filename*" not in disposition and "Set-Cookie: a=b" not in str(response.headers)
    assert response.headers["Content-Type"] == "application/octet-stream"
