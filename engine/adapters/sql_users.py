"""SQL repository of the users feature (`uow.users`) and the sealing of TOTP secrets."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection

from engine.adapters.db import aware
from engine.adapters.schema import policy_overrides
from engine.adapters.schema_users import case_markers, entities, receipts, users, web_sessions
from engine.domain.users import Entity, User
from keys.aead import Aad, open_sealed, seal
from keys.keyring import KeyRing

_USER_FIELDS = ("id", "username", "full_name", "password_hash", "roles", "tenant_id", "superior_id",
                "totp_sealed", "totp_kek_version", "totp_last_counter", "active", "created_at")


def _user(row) -> User:
    values = {name: getattr(row, name) for name in _USER_FIELDS}
    values["roles"] = tuple(values["roles"] or ())
    values["created_at"] = aware(values["created_at"])
    return User(**values)


class SqlUsers:
    """Users, entities, receipts and conflict markers, bound to one unit of work's connection."""

    def __init__(self, conn: Connection):
        self.conn = conn

    # -- users -----------------------------------------------------------------------------
    def add(self, user: User) -> None:
        """Insert a new user."""
        values = {name: getattr(user, name) for name in _USER_FIELDS}
        values["roles"] = list(user.roles)
        self.conn.execute(insert(users).values(**values))

    def get(self, user_id: str) -> User | None:
        """A user by id, or None."""
        row = self.conn.execute(select(users).where(users.c.id == user_id)).first()
        return _user(row) if row else None

    def by_username(self, username: str) -> User | None:
        """A user by username, or None."""
        row = self.conn.execute(select(users).where(users.c.username == username)).first()
        return _user(row) if row else None

    def list(self, tenant_id: str | None = None) -> list[User]:
        """Every user (of one entity when tenant_id is given), by username."""
        query = select(users).order_by(users.c.username)
        if tenant_id is not None:
            query = query.where(users.c.tenant_id == tenant_id)
        return [_user(r) for r in self.conn.execute(query).all()]

    def update(self, user_id: str, **values) -> None:
        """Change some columns of a user."""
        if "roles" in values:
            values["roles"] = list(values["roles"])
        self.conn.execute(update(users).where(users.c.id == user_id).values(**values))

    def advance_totp_counter(self, user_id: str, counter: int) -> bool:
        """Record a used TOTP counter only if it is newer than the last one (replay protection)."""
        c = users.c
        stale = (c.totp_last_counter.is_(None)) | (c.totp_last_counter < counter)
        return self.conn.execute(update(users).where(c.id == user_id, stale)
                                 .values(totp_last_counter=counter)).rowcount == 1

    # -- entities --------------------------------------------------------------------------
    def add_entity(self, entity: Entity) -> None:
        """Insert an entity (tenant)."""
        self.conn.execute(insert(entities).values(id=entity.id, name=entity.name, active=entity.active,
                                                  created_at=entity.created_at))

    def entity(self, entity_id: str) -> Entity | None:
        """An entity, or None."""
        row = self.conn.execute(select(entities).where(entities.c.id == entity_id)).first()
        return Entity(row.id, row.name, row.active, aware(row.created_at)) if row else None

    def entities(self) -> list[Entity]:
        """Every entity, by id."""
        rows = self.conn.execute(select(entities).order_by(entities.c.id)).all()
        return [Entity(r.id, r.name, r.active, aware(r.created_at)) for r in rows]

    # -- receipts --------------------------------------------------------------------------
    def add_receipt(self, case_id: str, lookup: str, digest: str, at: datetime) -> None:
        """Store a receipt's lookup HMAC and Argon2id hash for a case."""
        self.conn.execute(insert(receipts).values(case_id=case_id, lookup=lookup, hash=digest, created_at=at))

    def receipt(self, lookup: str) -> tuple[str, str] | None:
        """(case_id, hash) of the receipt with this lookup value, or None."""
        row = self.conn.execute(select(receipts.c.case_id, receipts.c.hash)
                                .where(receipts.c.lookup == lookup)).first()
        return (row.case_id, row.hash) if row else None

    def delete_receipt(self, case_id: str) -> None:
        """Forget a case's receipt (shredding)."""
        self.conn.execute(delete(receipts).where(receipts.c.case_id == case_id))

    # -- conflict markers ------------------------------------------------------------------
    def add_marker(self, case_id: str, kind: str, value: str) -> None:
        """Add a content-free conflict marker (HMAC of an accused name, or an excluded user id)."""
        c = case_markers.c
        exists = self.conn.execute(select(c.id).where(c.case_id == case_id, c.kind == kind,
                                                      c.value == value)).first()
        if exists is None:
            self.conn.execute(insert(case_markers).values(case_id=case_id, kind=kind, value=value))

    def markers(self, case_id: str) -> set[tuple[str, str]]:
        """Every (kind, value) marker of a case."""
        c = case_markers.c
        return {(r.kind, r.value) for r in self.conn.execute(
            select(c.kind, c.value).where(c.case_id == case_id)).all()}


    def conflicted_cases(self, user_id: str, name_marker: str | None) -> set[str]:
        """Ids of the cases a user is excluded from (named as accused, or excluded explicitly)."""
        c = case_markers.c
        condition = (c.kind == "user") & (c.value == user_id)
        if name_marker:
            condition = condition | ((c.kind == "accused") & (c.value == name_marker))
        return {r.case_id for r in self.conn.execute(select(c.case_id).where(condition)).all()}

    # -- server-side sessions (only a hash of the token is stored) ---------------------------
    def add_session(self, token_hash: str, kind: str, subject: str, at: datetime) -> None:
        """Store a new session."""
        self.conn.execute(insert(web_sessions).values(token_hash=token_hash, kind=kind, subject=subject,
                                                      created_at=at, last_seen=at))

    def session(self, token_hash: str) -> tuple[str, str, datetime, datetime] | None:
        """(kind, subject, created_at, last_seen) of a session, or None."""
        row = self.conn.execute(select(web_sessions).where(web_sessions.c.token_hash == token_hash)).first()
        return (row.kind, row.subject, aware(row.created_at), aware(row.last_seen)) if row else None

    def touch_session(self, token_hash: str, at: datetime) -> None:
        """Record activity on a session."""
        self.conn.execute(update(web_sessions).where(web_sessions.c.token_hash == token_hash).values(last_seen=at))

    def delete_session(self, token_hash: str) -> None:
        """End a session."""
        self.conn.execute(delete(web_sessions).where(web_sessions.c.token_hash == token_hash))

    def delete_sessions_of(self, subject: str) -> int:
        """End every session of a user (password reset, deactivation)."""
        return self.conn.execute(delete(web_sessions).where(web_sessions.c.subject == subject)).rowcount

    def override_details(self, tenant_id: str) -> dict[str, dict]:
        """An entity's active SLA overrides with their legal basis (admin read model)."""
        c = policy_overrides.c
        rows = self.conn.execute(select(c.policy_id, c.length, c.basis, c.set_by, c.set_at)
                                 .where(c.tenant_id == tenant_id, c.active)).all()
        return {r.policy_id: {"length": r.length, "basis": r.basis, "set_by": r.set_by,
                              "set_at": aware(r.set_at)} for r in rows}


class SecretBox:
    """Seals small user secrets (the TOTP seed) under the `users` keyring, bound to the user id."""

    def __init__(self, keyring: KeyRing):
        self.keyring = keyring

    def _aad(self, user_id: str, version: int) -> Aad:
        return Aad(tenant="users", case=user_id, obj="user", field="totp", key_version=version)

    def seal(self, user_id: str, secret: bytes) -> tuple[bytes, int]:
        """Return (ciphertext, key version)."""
        version = self.keyring.active_version()
        return seal(self.keyring.get(version), secret, self._aad(user_id, version)), version

    def open(self, user_id: str, sealed: bytes, version: int) -> bytes:
        """Open a sealed secret; raises keys.errors.DecryptionFailed on tampering."""
        return open_sealed(self.keyring.get(version), sealed, self._aad(user_id, version))


class Pepper:
    """HMAC-SHA256 under a pepper kept outside the database (a key file)."""

    def __init__(self, key: bytes):
        if len(key) < 32:
            raise ValueError("pepper must be at least 32 bytes")
        self._key = key

    def mac(self, label: str, value: str) -> str:
        """Hex HMAC of a labelled value (labels keep receipts and names apart)."""
        return hmac.new(self._key, f"{label}\x00{value}".encode(), hashlib.sha256).hexdigest()
