"""Per-system API tokens for /api/v1 (docs/api.md).

A token is 256 random bits, shown once. Only HMAC-SHA256(pepper, token) is stored (plain SHA-256
when no pepper is configured), so a database dump does not yield a usable token. Each token is
scoped to one entity and one role and can be revoked; creation, revocation and refusals are
audited without the token.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.domain.roles import ROLE_CODES
from engine.errors import AccessDenied, InvalidInput, NotFound
from engine.services import audit
from engine.services.context import Runtime

PREFIX = "pbd_"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._\-]{0,99}$")
_ENTITY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,63}$")


@dataclass(frozen=True)
class ApiClient:
    """An authenticated API caller: the token's id, name, entity and role."""

    token_id: str
    name: str
    tenant_id: str
    role: str

    active: bool = True
    full_name: str = ""

    @property
    def id(self) -> str:
        """The actor id of this client in audit entries and task assignments."""
        return f"api:{self.token_id}"

    @property
    def roles(self) -> tuple[str, ...]:
        """The token's single role, as a user's roles."""
        return (self.role,)

    def has_role(self, *codes: str) -> bool:
        """True when the token's role is one of these."""
        return self.role in codes


def token_hash(rt: Runtime, token: str) -> str:
    """The stored form of a token: HMAC under the users pepper when present, else SHA-256."""
    pepper = rt.extras.get("users.pepper")
    if pepper is not None:
        digest = pepper.mac("api_token", token)
        return digest if isinstance(digest, str) else digest.hex()
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create(rt: Runtime, entity: str, role: str, name: str, actor: str) -> tuple[str, str]:
    """Create a token; return (token_id, token). The token is never stored nor shown again."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise InvalidInput("token name: 1-100 letters, digits, spaces, '.', '_' or '-'")
    if not isinstance(entity, str) or not _ENTITY.match(entity):
        raise InvalidInput("entity: an entity id (letters, digits, '.', '_' or '-')")
    if role not in ROLE_CODES or role == "complainant":
        raise InvalidInput(f"unknown internal role '{role}'")
    token = PREFIX + secrets.token_urlsafe(32)
    token_id = uuid.uuid4().hex
    now = rt.now()
    with rt.uow_factory() as uow:
        uow.api_tokens.add(id=token_id, name=name, token_hash=token_hash(rt, token), tenant_id=entity, role=role,
                           created_at=now, created_by=actor)
        audit.record(uow, now, actor, "api_token.create", None,
                     {"token_id": token_id, "token_name": name, "tenant": entity, "role": role})
        uow.commit()
    return token_id, token


def revoke(rt: Runtime, token_id: str, actor: str) -> None:
    """Revoke a token (audited); NotFound when unknown or already revoked."""
    with rt.uow_factory() as uow:
        if not uow.api_tokens.revoke(token_id, rt.now()):
            raise NotFound(f"active API token {token_id} not found")
        audit.record(uow, rt.now(), actor, "api_token.revoke", None, {"token_id": token_id})
        uow.commit()


def authenticate(rt: Runtime, token: str | None) -> ApiClient:
    """The client a bearer token belongs to; AccessDenied when missing, unknown or revoked."""
    if not token or not isinstance(token, str) or not token.startswith(PREFIX) or len(token) > 200:
        raise AccessDenied("a valid API token is required")
    digest = token_hash(rt, token)
    with rt.uow_factory() as uow:
        row = uow.api_tokens.by_hash(digest)
        if row is None or not hmac.compare_digest(row.token_hash, digest) or row.revoked_at is not None:
            raise AccessDenied("a valid API token is required")
        uow.api_tokens.touch(row.id, rt.now())
        uow.commit()
    return ApiClient(row.id, row.name, row.tenant_id, row.role)


def listing(rt: Runtime) -> list[dict[str, Any]]:
    """Every token without its hash: id, name, entity, role, dates."""
    with rt.uow_factory(readonly=True) as uow:
        rows = uow.api_tokens.list()
    return [{"id": r.id, "name": r.name, "tenant": r.tenant_id, "role": r.role, "created_at": _iso(r.created_at),
             "revoked_at": _iso(r.revoked_at), "last_used_at": _iso(r.last_used_at)} for r in rows]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
