"""CSRF, foreign origins, headers, cookies, neutral errors, log hygiene."""

from __future__ import annotations

import logging

from tests.web.conftest import csrf_token
from web import create_app


def test_post_without_csrf_token_is_refused(client):
    response = client.post("/seguimiento", data={"receipt": "AAAA-AAAA-AAAA-AAAA"})
    assert response.status_code == 400


def test_foreign_origin_is_refused(client):
    token = csrf_token(client, "/seguimiento")
    response = client.post("/seguimiento", data={"receipt": "x", "csrf_token": token},
                           headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    cross_site = client.post("/seguimiento", data={"receipt": "x", "csrf_token": token},
                             headers={"Sec-Fetch-Site": "cross-site", "Origin": "null"})
    assert cross_site.status_code == 403
    same = client.post("/seguimiento", data={"receipt": "x", "csrf_token": token},
                       headers={"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"})
    assert same.status_code == 200
    opaque = client.post("/seguimiento", data={"receipt": "x", "csrf_token": token}, headers={"Origin": "null"})
    assert opaque.status_code == 200  # what browsers send under Referrer-Policy: no-referrer


def test_security_headers(client):
    response = client.get("/denuncia")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "http" not in csp.replace("'self'", "")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    assert "<script src=\"/static/js/steps.js\">" in response.get_data(as_text=True)
    assert "cdn" not in response.get_data(as_text=True).lower()


def test_secure_cookies_in_production_mode(world):
    app = create_app({"TESTING": True, "SESSION_COOKIE_SECURE": True, "SESSION_COOKIE_NAME": "__Host-probidad",
                      "PROBIDAD_HSTS": True}, engine=world.engine)
    client = app.test_client()
    response = client.get("/ingresar", base_url="https://localhost")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-probidad=")
    for flag in ("Secure", "HttpOnly", "SameSite=Strict", "Path=/"):
        assert flag in cookie
    assert "Domain" not in cookie
    assert "max-age" in response.headers["Strict-Transport-Security"]


def test_neutral_error_pages(world):
    app = create_app({"TESTING": False}, engine=world.engine)

    @app.get("/boom-test")
    def boom():
        raise RuntimeError("secret narrative text")

    client = app.test_client()
    assert client.get("/no-existe").status_code == 404
    response = client.get("/boom-test")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "secret narrative" not in body and "Traceback" not in body and "RuntimeError" not in body


def test_access_log_has_no_client_address():
    from web.security import _NoAddressFilter

    record = logging.LogRecord("werkzeug", logging.INFO, "x", 1, '203.0.113.7 - - [01/Jan/2025] "GET / HTTP/1.1" 200 -',
                               None, None)
    _NoAddressFilter().filter(record)
    assert "203.0.113.7" not in record.getMessage()
