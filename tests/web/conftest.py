"""Fixtures in the Flask-tutorial style (`app`, `client`, `runner`, `auth`) plus a small world:
two entities, one officer per role of the access matrix, and two complaints with receipts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta

import pyotp
import pytest

from engine import bootstrap
from engine.testing import make_engine
from web import create_app

PASSWORD = "a long test password"
CUSTODIAN_PASSPHRASE = "custodian passphrase for tests"
OFFICERS = {
    # username: (full name, roles, tenant)
    "assigned": ("Ana Asignada", ["oii"], "default"),
    "unassigned": ("Umberto Libre", ["oii"], "default"),
    "other_tenant": ("Olga Otra", ["oii"], "otra"),
    "custodian": ("Carla Custodia", ["custodian"], "default"),
    "auditor": ("Aldo Auditor", ["auditor"], "default"),
    "admin": ("Adela Admin", ["admin"], "default"),
    "chief": ("Chema Jefe", ["chief"], "default"),
}


@dataclass
class World:
    """An engine with users and cases, its clock, and the secrets tests need."""

    engine: object
    clock: object
    users: dict = field(default_factory=dict)
    secrets: dict = field(default_factory=dict)
    receipts: dict = field(default_factory=dict)
    cases: dict = field(default_factory=dict)

    def totp(self, username: str) -> str:
        """The current TOTP code of a user, a fresh time step each call (no replay)."""
        self.clock.advance(seconds=31)
        return pyotp.TOTP(self.secrets[username]).at(self.clock.now())


def start_complaint(engine, narrative: str = "Hechos de prueba", accused: str = "", tenant: str = "default"):
    """Start a web complaint with content; return (case_id, receipt)."""
    data = {"channel": "web", "anonymous": True, "protection_requested": False,
            "reason_categories": ["bribery"], "fact_date": "2025-01-02"}
    content = {"narrative": narrative}
    if accused:
        content["accused"] = accused
    case_id = engine.start_case_with_content("denuncia", data, content, actor="complainant", tenant=tenant)
    if accused:
        engine.mark_accused(case_id, [accused])
    return case_id, engine.issue_receipt(case_id)


def build_world(tmp_path, custodian: bool = False) -> World:
    """Engine, users of every matrix role, complaints A and B (A's task claimed by `assigned`)."""
    engine, clock = make_engine(tmp_path)
    engine.configure_password_hashing(1, 8192, 1)
    bootstrap.create_dev_keys(engine.settings)
    if custodian:
        engine.init_custodian(CUSTODIAN_PASSPHRASE)
    else:
        # Officer key pairs cost a full Argon2id unlock per login; only identity tests need them.
        engine.ensure_officer_keypair = lambda user, passphrase, replace=False: "no-keypair-in-this-test"
    engine.create_entity("otra", "Otra entidad")
    world = World(engine, clock)
    for username, (name, roles, tenant) in OFFICERS.items():
        user = engine.create_user(username, PASSWORD, name, roles, tenant=tenant)
        world.users[username] = user
        world.secrets[username] = engine.enroll_totp(user.id, actor="test", confirmed=True)
    for key in ("a", "b"):
        case_id, receipt = start_complaint(engine, f"Narrativa {key}")
        world.cases[key], world.receipts[key] = case_id, receipt
    task = engine.tasks(case_id=world.cases["a"])[0]
    engine.claim_task(world.users["assigned"], task.id)
    world.cases["a_task"] = task.id
    world.cases["a_attachment"] = engine.add_attachment(world.cases["a"], "prueba.txt", b"hola", "text/plain",
                                                        "complainant")
    return world


@pytest.fixture
def world(tmp_path) -> World:
    """A fresh world per test."""
    return build_world(tmp_path)


@pytest.fixture
def app(world):
    """The app over the world's engine (CSRF on, as in production)."""
    return create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-0123456789abcdef"}, engine=world.engine)


@pytest.fixture
def client(app):
    """A test client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner for the app."""
    return app.test_cli_runner()


def csrf_token(client, path: str = "/ingresar") -> str:
    """The CSRF token of the client's session, read from a form page."""
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, f"no csrf token on {path}"
    return found.group(1)


class AuthActions:
    """Log officers and complainants in and out through the real forms."""

    def __init__(self, client, world: World):
        self.client = client
        self.world = world

    def login(self, username: str, password: str = PASSWORD):
        """Password then TOTP; returns the last response."""
        token = csrf_token(self.client)
        self.client.post("/ingresar", data={"username": username, "password": password, "csrf_token": token})
        token = csrf_token(self.client, "/ingresar/codigo")
        return self.client.post("/ingresar/codigo", data={"code": self.world.totp(username), "csrf_token": token})

    def receipt(self, key: str):
        """Open the follow-up of complaint `key` with its receipt."""
        token = csrf_token(self.client, "/seguimiento")
        return self.client.post("/seguimiento", data={"receipt": self.world.receipts[key], "csrf_token": token})

    def logout(self):
        """Sign out."""
        token = csrf_token(self.client, "/")
        return self.client.post("/salir", data={"csrf_token": token})

    def idle(self, minutes: int = 16) -> None:
        """Let the session sit idle."""
        self.world.clock.advance(timedelta(minutes=minutes))


@pytest.fixture
def auth(client, world):
    """Login helpers bound to `client`."""
    return AuthActions(client, world)
