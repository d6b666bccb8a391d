"""Users, entities, passwords, TOTP and complaint receipts (SECURITY.md property 10).

Passwords and receipts are hashed with Argon2id; Argon2 runs on every attempt, also for unknown
users and unknown receipts, so timing tells nothing. Receipts are found by an HMAC under a pepper
kept outside the database, then verified against their own salted hash. TOTP secrets are sealed;
the last accepted time step is stored so a code cannot be replayed within its window.
"""

from __future__ import annotations

import base64
import hmac
import secrets
import uuid
from typing import Any

from engine.domain.roles import ROLE_CODES
from engine.domain.users import Entity, User
from engine.errors import Conflict, InvalidInput, NotFound
from engine.services import audit

TOTP_STEP = 30
TOTP_WINDOW = 1
RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
RECEIPT_GROUPS = 4
RECEIPT_GROUP_LEN = 4
_DUMMY_PASSWORD = "probidad-dummy-password-for-constant-work"  # noqa: S105 - not a credential


def password_hasher(time_cost: int = 3, memory_cost: int = 65536, parallelism: int = 4):
    """An Argon2id hasher (RFC 9106 second recommendation by default)."""
    from argon2 import PasswordHasher, Type

    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism, type=Type.ID)


def configure_hashing(rt, time_cost: int = 3, memory_cost: int = 65536, parallelism: int = 4) -> None:
    """Install the hasher and a dummy hash of the same cost (constant work for unknown users)."""
    rt.extras["users.hasher"] = password_hasher(time_cost, memory_cost, parallelism)
    rt.extras.pop("users.dummy_hash", None)


def _extra(rt, name: str) -> Any:
    if name == "dummy_hash" and "users.dummy_hash" not in rt.extras:
        rt.extras["users.dummy_hash"] = rt.extras["users.hasher"].hash(_DUMMY_PASSWORD)
    return rt.extras[f"users.{name}"]


def check_roles(roles) -> tuple[str, ...]:
    """Validate role codes (complainant is not an internal role)."""
    roles = tuple(dict.fromkeys(r.strip() for r in roles if r and r.strip()))
    unknown = [r for r in roles if r not in ROLE_CODES or r == "complainant"]
    if unknown:
        raise InvalidInput(f"unknown roles: {', '.join(sorted(unknown))}")
    return roles


def check_password(password: str) -> str:
    """A password policy that asks for length, not composition (NIST SP 800-63B)."""
    if not isinstance(password, str) or not 12 <= len(password) <= 200:
        raise InvalidInput("the password must have between 12 and 200 characters")
    return password


def create_user(rt, username: str, password: str, full_name: str, roles, tenant_id: str,
                superior_id: str | None = None, actor: str = "system") -> User:
    """Create an active user; the username must be new and the entity must exist."""
    username = (username or "").strip().lower()
    if not username or len(username) > 100 or not username.replace("_", "").replace(".", "").isalnum():
        raise InvalidInput("the username must be letters, digits, '.' or '_'")
    roles = check_roles(roles)
    digest = _extra(rt, "hasher").hash(check_password(password))
    with rt.uow_factory() as uow:
        if uow.users.by_username(username) is not None:
            raise Conflict("that username is taken")
        if uow.users.entity(tenant_id) is None:
            raise NotFound(f"entity {tenant_id} not found")
        user = User(uuid.uuid4().hex, username, (full_name or username).strip()[:200], digest, roles, tenant_id,
                    superior_id or None, created_at=rt.now())
        uow.users.add(user)
        audit.record(uow, rt.now(), actor, "user.create", None, {"user": user.id, "roles": list(roles),
                                                                    "tenant": tenant_id})
        uow.commit()
    return user


def authenticate(rt, username: str, password: str) -> User | None:
    """The active user with this password, or None. Argon2 always runs (constant work)."""
    hasher = _extra(rt, "hasher")
    with rt.uow_factory(readonly=True) as uow:
        user = uow.users.by_username((username or "").strip().lower()[:100])
    digest = user.password_hash if user is not None else _extra(rt, "dummy_hash")
    try:
        ok = hasher.verify(digest, password or "")
    except Exception:  # noqa: BLE001 - argon2 raises VerifyMismatchError/InvalidHash: both mean "no"
        ok = False
    if not ok or user is None or not user.active:
        return None
    return user


def set_password(rt, user_id: str, password: str, actor: str) -> None:
    """Set a new password (an admin reset grants no access to content: SECURITY.md property 4)."""
    digest = _extra(rt, "hasher").hash(check_password(password))
    with rt.uow_factory() as uow:
        _require(uow, user_id)
        uow.users.update(user_id, password_hash=digest)
        uow.users.delete_sessions_of(user_id)
        audit.record(uow, rt.now(), actor, "user.reset_password", None, {"user": user_id})
        uow.commit()


def update_user(rt, user_id: str, actor: str, **changes) -> None:
    """Change roles, entity, superior or the active flag (audited)."""
    allowed = {"roles", "tenant_id", "superior_id", "active", "full_name"}
    values = {k: v for k, v in changes.items() if k in allowed}
    if "roles" in values:
        values["roles"] = check_roles(values["roles"])
        if not values["roles"]:
            raise InvalidInput("a user needs at least one role")
    with rt.uow_factory() as uow:
        _require(uow, user_id)
        if "tenant_id" in values and uow.users.entity(values["tenant_id"]) is None:
            raise NotFound(f"entity {values['tenant_id']} not found")
        uow.users.update(user_id, **values)
        detail = {k: (list(v) if isinstance(v, tuple) else v) for k, v in values.items() if k != "full_name"}
        audit.record(uow, rt.now(), actor, "user.update", None, {"user": user_id, **detail})
        uow.commit()


def _require(uow, user_id: str) -> User:
    user = uow.users.get(user_id)
    if user is None:
        raise NotFound(f"user {user_id} not found")
    return user


def create_entity(rt, entity_id: str, name: str, actor: str = "system") -> Entity:
    """Create an entity (tenant); ids are short codes."""
    entity_id = (entity_id or "").strip().lower()
    if not entity_id or len(entity_id) > 64 or not entity_id.replace("_", "").replace("-", "").isalnum():
        raise InvalidInput("the entity code must be letters, digits, '-' or '_'")
    entity = Entity(entity_id, (name or entity_id).strip()[:200], True, rt.now())
    with rt.uow_factory() as uow:
        if uow.users.entity(entity_id) is not None:
            raise Conflict("that entity exists")
        uow.users.add_entity(entity)
        audit.record(uow, rt.now(), actor, "entity.create", None, {"entity": entity_id})
        uow.commit()
    return entity


# -- TOTP ----------------------------------------------------------------------------------
def enroll_totp(rt, user_id: str, actor: str, confirmed: bool = False) -> str:
    """Generate and seal a new TOTP secret (unconfirmed until a code verifies); return it (base32).

    `confirmed=True` is for seeded development users only, whose secret is printed by `init`.
    """
    secret = base64.b32encode(secrets.token_bytes(20)).decode("ascii")
    with rt.uow_factory() as uow:
        _require(uow, user_id)
        sealed, version = _extra(rt, "secrets").seal(user_id, secret.encode("ascii"))
        uow.users.update(user_id, totp_sealed=sealed, totp_kek_version=version,
                         totp_last_counter=0 if confirmed else None)
        audit.record(uow, rt.now(), actor, "user.totp_enroll", None, {"user": user_id})
        uow.commit()
    return secret


def totp_secret(rt, user_id: str) -> str | None:
    """The opened TOTP secret of a user (to draw the enrolment QR code), or None."""
    with rt.uow_factory(readonly=True) as uow:
        user = _require(uow, user_id)
    if user.totp_sealed is None:
        return None
    return _extra(rt, "secrets").open(user_id, user.totp_sealed, user.totp_kek_version).decode("ascii")


def _totp_code(secret: str, counter: int) -> str:
    import pyotp

    return pyotp.TOTP(secret, interval=TOTP_STEP).generate_otp(counter)


def verify_totp(rt, user_id: str, code: str) -> bool:
    """Check a 6-digit code in a ±1 step window; a step already used is refused (no replay)."""
    secret = totp_secret(rt, user_id)
    code = (code or "").strip().replace(" ", "")
    if secret is None or len(code) != 6 or not code.isdigit():
        return False
    now_counter = int(rt.now().timestamp()) // TOTP_STEP
    matched = None
    for counter in range(now_counter - TOTP_WINDOW, now_counter + TOTP_WINDOW + 1):
        if hmac.compare_digest(_totp_code(secret, counter), code):
            matched = counter
    if matched is None:
        return False
    with rt.uow_factory() as uow:
        accepted = uow.users.advance_totp_counter(user_id, matched)
        audit.record(uow, rt.now(), user_id, "user.totp_ok" if accepted else "user.totp_replay", None,
                     {"user": user_id})
        uow.commit()
    return accepted


# -- receipts ------------------------------------------------------------------------------
def normalize_receipt(text: str) -> str:
    """Uppercase and drop separators and spaces (the alphabet has no 0/O or 1/I to confuse)."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())[:64]


def format_receipt(raw: str) -> str:
    """Group a receipt in blocks of four (XXXX-XXXX-XXXX-XXXX)."""
    return "-".join(raw[i:i + RECEIPT_GROUP_LEN] for i in range(0, len(raw), RECEIPT_GROUP_LEN))


def issue_receipt(rt, case_id: str) -> str:
    """Create the case's receipt (80 bits from a 32-symbol alphabet), store only its hash; return it."""
    length = RECEIPT_GROUPS * RECEIPT_GROUP_LEN
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(length))
    digest = _extra(rt, "hasher").hash(raw)
    lookup = _extra(rt, "pepper").mac("receipt", raw)
    with rt.uow_factory() as uow:
        if uow.cases.get(case_id) is None:
            raise NotFound(f"case {case_id} not found")
        uow.users.add_receipt(case_id, lookup, digest, rt.now())
        audit.record(uow, rt.now(), "system", "receipt.issue", case_id, {})
        uow.commit()
    return format_receipt(raw)


def check_receipt(rt, receipt: str) -> str | None:
    """The case id of a receipt, or None. Argon2 runs for unknown receipts too."""
    raw = normalize_receipt(receipt)
    lookup = _extra(rt, "pepper").mac("receipt", raw)
    with rt.uow_factory(readonly=True) as uow:
        found = uow.users.receipt(lookup)
    digest = found[1] if found else _extra(rt, "dummy_hash")
    try:
        ok = _extra(rt, "hasher").verify(digest, raw)
    except Exception:  # noqa: BLE001 - mismatch or invalid hash: not a valid receipt
        ok = False
    return found[0] if ok and found else None


# -- sessions ------------------------------------------------------------------------------
def start_session(rt, kind: str, subject: str) -> str:
    """A new random session token (the cookie holds it; the database only its hash)."""
    token = secrets.token_urlsafe(32)
    with rt.uow_factory() as uow:
        uow.users.add_session(_extra(rt, "pepper").mac("session", token), kind, subject, rt.now())
        uow.commit()
    return token


def resolve_session(rt, token: str, idle_seconds: int, max_seconds: int = 12 * 3600) -> tuple[str, str] | None:
    """(kind, subject) of a live session, refreshing its idle timer; None (and deleted) when expired."""
    if not token:
        return None
    key = _extra(rt, "pepper").mac("session", token)
    now = rt.now()
    # Most requests only read: a live session seen under 30 s ago needs no write, so no write lock
    # (on SQLite a timer sweep holds it almost all the time; SECURITY.md property 16).
    with rt.uow_factory(readonly=True) as uow:
        found = uow.users.session(key)
    if found is None:
        return None
    idle, age = (now - found[3]).total_seconds(), (now - found[2]).total_seconds()
    if idle < 30 and idle <= idle_seconds and age <= max_seconds:
        return found[0], found[1]
    with rt.uow_factory() as uow:
        found = uow.users.session(key)
        if found is None:
            return None
        kind, subject, created, last_seen = found
        if (now - last_seen).total_seconds() > idle_seconds or (now - created).total_seconds() > max_seconds:
            uow.users.delete_session(key)
            uow.commit()
            return None
        if (now - last_seen).total_seconds() >= 30:
            uow.users.touch_session(key, now)
        uow.commit()
    return kind, subject


def end_session(rt, token: str) -> None:
    """Delete a session (logout)."""
    if not token:
        return
    with rt.uow_factory() as uow:
        uow.users.delete_session(_extra(rt, "pepper").mac("session", token))
        uow.commit()
