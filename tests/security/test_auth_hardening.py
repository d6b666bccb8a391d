"""Authentication hardening (SECURITY.md properties 4 and 10, tests 9 and 10; issue 11 item 3).

tests/web/test_auth.py covers the login flow, TOTP replay at the engine and web level, session
rotation at login, logout and the idle timeout, and the login rate limit. This file adds: rate
limits on TOTP, receipts, intake and uploads; no client address persisted anywhere; TOTP replay
across sessions; a session dying when the password is reset; idle expiry under time-machine
(wall-clock moved, engine clock following); and an admin password reset that gives no access to
content (the officer's key pair stays locked to the old password and any identity grant is dropped
when a new pair is made).
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
import time_machine

from engine.errors import AccessDenied
from tests.security.conftest import make_app
from tests.web.conftest import CUSTODIAN_PASSPHRASE, PASSWORD, AuthActions, csrf_token

ADDRESS = "203.0.113.77"


def _codes(responses) -> list[int]:
    return [r.status_code for r in responses]


def test_totp_step_is_rate_limited(client, world):
    token = csrf_token(client)
    client.post("/ingresar", data={"username": "assigned", "password": PASSWORD, "csrf_token": token})
    token = csrf_token(client, "/ingresar/codigo")
    codes = _codes(client.post("/ingresar/codigo", data={"code": f"{n:06d}", "csrf_token": token})
                   for n in range(8))
    assert codes[0] == 200 and 429 in codes
    # Even the right code is refused while the bucket is empty: guessing cannot continue.
    right = client.post("/ingresar/codigo", data={"code": world.totp("assigned"), "csrf_token": token})
    assert right.status_code == 429 and client.get("/bandeja").status_code == 302


def test_receipt_guessing_is_rate_limited_per_prefix_and_globally(client):
    token = csrf_token(client, "/seguimiento")
    same_prefix = _codes(client.post("/seguimiento", data={"receipt": f"ABCD-ZZZZ-ZZZZ-ZZ{n:02d}",
                                                           "csrf_token": token}) for n in range(8))
    assert same_prefix[0] == 200 and 429 in same_prefix
    spread = _codes(client.post("/seguimiento", data={"receipt": f"{n:04d}-ZZZZ-ZZZZ-ZZZZ", "csrf_token": token})
                    for n in range(40))
    assert 429 in spread  # the global bucket catches guesses spread over many prefixes


def test_intake_is_rate_limited(client):
    token = csrf_token(client, "/denuncia")
    codes = _codes(client.post("/denuncia", data={"csrf_token": token, "entity": "default"}) for _ in range(25))
    assert codes[0] == 422 and 429 in codes


def test_uploads_are_rate_limited(client, auth):
    auth.receipt("a")
    token = csrf_token(client, "/seguimiento/caso")
    codes = _codes(client.post("/seguimiento/adjunto", data={"csrf_token": token}) for _ in range(35))
    assert codes[0] == 302 and 429 in codes


def test_no_client_address_is_persisted_or_logged(world, caplog):
    caplog.set_level(logging.DEBUG)
    app = make_app(world)
    client = app.test_client()
    env = {"REMOTE_ADDR": ADDRESS, "HTTP_X_FORWARDED_FOR": ADDRESS, "HTTP_USER_AGENT": "CanaryAgent/9.9"}
    client.environ_base.update(env)
    AuthActions(client, world).login("assigned")
    AuthActions(client, world).logout()
    token = csrf_token(client, "/seguimiento")
    for _ in range(7):
        client.post("/seguimiento", data={"receipt": "ZZZZ-ZZZZ-ZZZZ-ZZZZ", "csrf_token": token})
    dump = b"".join(p.read_bytes() for p in world.engine.settings.instance.rglob("*") if p.is_file())
    logs = "\n".join(r.getMessage() for r in caplog.records)
    for needle in (ADDRESS, "CanaryAgent"):
        assert needle.encode() not in dump and needle not in logs


def test_totp_code_is_single_use_across_sessions(app, world):
    world.clock.advance(seconds=31)
    code = pyotp.TOTP(world.secrets["assigned"]).at(world.clock.now())
    first, second = app.test_client(), app.test_client()
    for client in (first, second):
        token = csrf_token(client)
        client.post("/ingresar", data={"username": "assigned", "password": PASSWORD, "csrf_token": token})
    token = csrf_token(first, "/ingresar/codigo")
    assert first.post("/ingresar/codigo", data={"code": code, "csrf_token": token}).status_code == 302
    token = csrf_token(second, "/ingresar/codigo")
    replay = second.post("/ingresar/codigo", data={"code": code, "csrf_token": token})
    assert replay.status_code == 200 and second.get("/bandeja").status_code == 302
    # An older code of the same window is refused too (the counter only moves forward).
    older = pyotp.TOTP(world.secrets["assigned"]).at(world.clock.now() - timedelta(seconds=30))
    assert world.engine.verify_totp(world.users["assigned"].id, older) is False


def test_password_reset_ends_existing_sessions(app, world):
    officer = app.test_client()
    AuthActions(officer, world).login("unassigned")
    assert officer.get("/bandeja").status_code == 200
    world.engine.reset_password(world.users["unassigned"].id, "a brand new password", actor="admin")
    assert officer.get("/bandeja").status_code == 302


def test_idle_timeout_under_time_machine(world):
    """The wall clock moves (time-machine) and the engine clock follows it: 16 idle minutes end the session."""
    start = datetime(2025, 3, 3, 15, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as traveller:
        world.clock.now = lambda: datetime.now(UTC)  # the engine reads the (travelled) wall clock
        client = make_app(world).test_client()
        auth = AuthActions(client, world)
        world.totp = lambda username: pyotp.TOTP(world.secrets[username]).at(datetime.now(UTC))
        auth.login("assigned")
        assert client.get("/bandeja").status_code == 200
        traveller.shift(timedelta(minutes=14))
        assert client.get("/bandeja").status_code == 200  # activity resets the idle timer
        traveller.shift(timedelta(minutes=14))
        assert client.get("/bandeja").status_code == 200
        traveller.shift(timedelta(minutes=16))
        response = client.get("/bandeja")
        assert response.status_code == 302 and response.headers["Location"].endswith("/ingresar")


def test_admin_password_reset_grants_no_access_to_content(custodian_world):
    world = custodian_world
    engine = world.engine
    officer = world.users["assigned"]
    engine.ensure_officer_keypair(officer.id, PASSWORD)
    case_id = world.cases["a"]
    engine.seal_identity(case_id, {"identity": "CANARYRESET-nombre"}, actor="complainant")
    request = engine.request_identity_release(case_id, officer.id, "Orden judicial 9-2025", actor="chief")
    engine.decide_identity_release(request, CUSTODIAN_PASSPHRASE, True, actor="custodian")
    assert engine.read_identity(case_id, officer.id, PASSWORD)["identity"] == "CANARYRESET-nombre"

    admin = make_app(world).test_client()
    AuthActions(admin, world).login("admin")
    token = csrf_token(admin, "/admin/usuarios")
    page = admin.post(f"/admin/usuarios/{officer.id}/clave", data={"csrf_token": token}).get_data(as_text=True)
    new_password = re.search(r'id="new-password">([^<]+)<', page).group(1)
    assert "CANARYRESET" not in page
    # The admin's new password opens the account but not the officer's key pair...
    with pytest.raises(AccessDenied):
        engine.read_identity(case_id, officer.id, new_password)
    # ...and a fresh key pair for the new password drops every identity grant.
    engine.ensure_officer_keypair(officer.id, new_password, replace=True)
    with pytest.raises(AccessDenied):
        engine.read_identity(case_id, officer.id, new_password)
    actions = [e.action for e in engine.audit_for_case(case_id)]
    assert actions.count("identity.release") == 1
