"""Fixtures for the security suite (issue 11).

The web world (two entities, one officer per matrix role, complaints A and B with receipts) comes
from tests/web/conftest.py; here it is exposed under the usual names (`world`, `app`, `client`,
`auth`) plus a `custodian_world` whose officers have real key pairs. `canary` gives the leak
search: each canary raw and in base64 (every alignment), hex, UTF-16, URL, unicode-escape and XML
character references.
"""

from __future__ import annotations

import base64
import secrets
from urllib.parse import quote, quote_plus

import pytest

from tests.web.conftest import AuthActions, build_world
from web import create_app

SECRET = "test-secret-key-0123456789abcdef"


class Canaries:
    """Unique strings per kind and the search for them in any common encoding."""

    def __init__(self, kinds):
        self.values = {kind: f"CANARY{kind.upper()}{secrets.token_hex(8)}" for kind in kinds}

    def __getitem__(self, kind: str) -> str:
        return self.values[kind]

    @staticmethod
    def encodings(value: str) -> list[bytes]:
        """The value raw and encoded; base64 at every alignment (it may sit anywhere in a blob)."""
        raw = value.encode("utf-8")
        forms = [raw, raw.lower(), raw.hex().encode(), raw.hex().upper().encode(), value.encode("utf-16-le"),
                 value.encode("utf-16-be"), quote(value).encode(), quote_plus(value).encode(),
                 value.encode("unicode_escape"), value.encode("ascii", "xmlcharrefreplace")]
        for pad in range(3):
            for encoder in (base64.b64encode, base64.urlsafe_b64encode):
                encoded = encoder(b"\0" * pad + raw)
                forms.append(encoded[4 if pad else 0:-4])
        forms.append(base64.b32encode(raw)[:-8])
        return [f for f in forms if len(f) >= 12]

    def hits(self, haystack: bytes | str, only=None) -> list[str]:
        """The kinds whose canary appears in the haystack in any encoding."""
        if isinstance(haystack, str):
            haystack = haystack.encode("utf-8", "replace")
        kinds = only or self.values
        return [k for k in kinds if any(form in haystack for form in self.encodings(self.values[k]))]


@pytest.fixture
def canaries():
    """A factory: canaries(kinds) -> Canaries."""
    return Canaries


@pytest.fixture
def world(tmp_path):
    """A fresh web world per test (officer key pairs stubbed: fast logins)."""
    return build_world(tmp_path)


@pytest.fixture
def custodian_world(tmp_path):
    """A web world with a custodian and real officer key pairs (identity release flows)."""
    return build_world(tmp_path, custodian=True)


def make_app(world, **config):
    """The app over a world's engine, CSRF on as in production."""
    return create_app({"TESTING": True, "SECRET_KEY": SECRET, **config}, engine=world.engine)


@pytest.fixture
def app(world):
    """The app over `world`."""
    return make_app(world)


@pytest.fixture
def client(app):
    """A test client of `app`."""
    return app.test_client()


@pytest.fixture
def auth(client, world):
    """Login helpers bound to `client`."""
    return AuthActions(client, world)
