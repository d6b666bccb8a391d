"""Chromium screenshots of each dashboard (docs/screenshots/dashboard-*.png), charts drawn by the
locally bundled chart.js under the app's CSP."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.e2e import common as e2e_common
from web import create_app

pytestmark = pytest.mark.e2e
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = e2e_common.SHOTS


@pytest.fixture(scope="module")
def live(seeded):
    engine, _clock, _ids = seeded
    engine.configure_password_hashing(1, 8192, 1)
    users = {name: engine.create_user(name, "a long test password", name, [role], tenant="default")
             for name, role in (("e2e_jefa", "chief"), ("e2e_auditora", "auditor"))}
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-0123456789abcdef"}, engine=engine)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield engine, app, users, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def _cookie(app, engine, user) -> dict:
    client = app.test_client()
    with client.session_transaction() as session:
        session["auth"] = engine.start_session("officer", user.id)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    return {"name": cookie.key, "value": cookie.value, "domain": "127.0.0.1", "path": "/"}


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no chromium")
@pytest.mark.parametrize(("user", "path", "name"), [
    ("e2e_jefa", "/tablero/", "dashboard-entity"),
    ("e2e_auditora", "/tablero/", "dashboard-overall"),
    ("e2e_jefa", "/tablero/indicadores", "dashboard-indicators"),
    (None, "/transparencia", "dashboard-public"),
])
def test_screenshot(live, user, path, name):
    from playwright.sync_api import sync_playwright

    engine, app, users, base = live
    errors = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        if user:
            cookie = _cookie(app, engine, users[user])
            context.add_cookies([{"name": cookie["name"], "value": cookie["value"], "url": base}])
        page = context.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(base + path)
        if path == "/tablero/":
            page.wait_for_function("document.querySelectorAll('canvas[data-chart]').length > 0 && "
                                   "Array.from(document.querySelectorAll('canvas')).every(c => c.width > 0)")
            drawn = page.evaluate("typeof Chart !== 'undefined' && Object.keys(Chart.instances).length")
            assert drawn == 10
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
        browser.close()
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e]
