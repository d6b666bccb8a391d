"""Login with password and TOTP: enrolment, replay, session rotation, logout, idle timeout."""

from __future__ import annotations

import re

import pyotp

from tests.web.conftest import PASSWORD, csrf_token


def _cookie(client) -> str | None:
    cookie = client.get_cookie("probidad")
    return cookie.value if cookie else None


def test_login_needs_password_and_totp(client, auth, world):
    token = csrf_token(client)
    response = client.post("/ingresar", data={"username": "assigned", "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"].endswith("/ingresar/codigo")
    assert client.get("/bandeja").status_code == 302  # password alone is not a session
    token = csrf_token(client, "/ingresar/codigo")
    response = client.post("/ingresar/codigo", data={"code": world.totp("assigned"), "csrf_token": token})
    assert response.headers["Location"].endswith("/bandeja")
    assert client.get("/bandeja").status_code == 200


def test_wrong_password_and_unknown_user_look_the_same(client):
    token = csrf_token(client)
    known = client.post("/ingresar", data={"username": "assigned", "password": "wrong password!", "csrf_token": token})
    unknown = client.post("/ingresar", data={"username": "nobody", "password": "wrong password!", "csrf_token": token})
    assert known.status_code == unknown.status_code == 200
    assert "incorrectos" in known.get_data(as_text=True) and "incorrectos" in unknown.get_data(as_text=True)


def test_totp_replay_is_rejected(client, world):
    user = world.users["assigned"]
    world.clock.advance(seconds=31)
    code = pyotp.TOTP(world.secrets["assigned"]).at(world.clock.now())
    assert world.engine.verify_totp(user.id, code) is True
    assert world.engine.verify_totp(user.id, code) is False
    token = csrf_token(client)
    client.post("/ingresar", data={"username": "assigned", "password": PASSWORD, "csrf_token": token})
    token = csrf_token(client, "/ingresar/codigo")
    response = client.post("/ingresar/codigo", data={"code": code, "csrf_token": token})
    assert response.status_code == 200 and "ya fue usado" in response.get_data(as_text=True)
    assert client.get("/bandeja").status_code == 302


def test_first_login_enrols_totp_with_a_qr_code(client, world):
    world.engine.create_user("nueva", PASSWORD, "Nueva Persona", ["oii"])
    token = csrf_token(client)
    response = client.post("/ingresar", data={"username": "nueva", "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"].endswith("/ingresar/enrolar")
    page = client.get("/ingresar/enrolar").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in page
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    token = csrf_token(client, "/ingresar/enrolar")
    bad = client.post("/ingresar/enrolar", data={"code": "000000", "csrf_token": token})
    assert bad.status_code == 200 and client.get("/bandeja").status_code == 302
    world.clock.advance(seconds=31)
    code = pyotp.TOTP(secret).at(world.clock.now())
    response = client.post("/ingresar/enrolar", data={"code": code, "csrf_token": token})
    assert response.headers["Location"].endswith("/bandeja")
    assert world.engine.user_by_username("nueva").totp_enrolled


def test_session_rotates_at_login_and_dies_at_logout(client, auth, world):
    client.get("/ingresar")
    before = _cookie(client)
    auth.login("assigned")
    during = _cookie(client)
    assert during and during != before
    stolen = during
    auth.logout()
    assert client.get("/bandeja").status_code == 302
    client.set_cookie("probidad", stolen)  # a copy of the old cookie no longer works
    assert client.get("/bandeja").status_code == 302


def test_idle_session_expires(client, auth):
    auth.login("assigned")
    assert client.get("/bandeja").status_code == 200
    auth.idle(minutes=10)
    assert client.get("/bandeja").status_code == 200
    auth.idle(minutes=16)
    response = client.get("/bandeja")
    assert response.status_code == 302 and response.headers["Location"].endswith("/ingresar")


def test_login_is_rate_limited_per_username(client):
    token = csrf_token(client)
    codes = [client.post("/ingresar", data={"username": "assigned", "password": "nope nope nope",
                                            "csrf_token": token}).status_code for _ in range(7)]
    assert 429 in codes and codes[0] == 200


def test_admin_password_reset_grants_nothing_and_forces_reenrolment(client, auth, world):
    admin = world.users["admin"]
    target = world.users["unassigned"]
    auth.login("admin")
    token = csrf_token(client, "/admin/usuarios")
    page = client.post(f"/admin/usuarios/{target.id}/clave", data={"csrf_token": token}).get_data(as_text=True)
    password = re.search(r'id="new-password">([^<]+)<', page).group(1)
    assert world.engine.user(target.id).totp_enrolled is False
    assert world.engine.authenticate("unassigned", password) is not None
    assert not world.engine.case_access(world.engine.user(target.id), world.cases["a"]).view
    assert admin.id != target.id
