"""Composition root for the users feature: repository, password hasher, TOTP sealing and pepper.

The pepper (HMAC key for receipt lookups and conflict markers) and the `users` keyring (TOTP
secrets) live in the keys folder, never in the database (SECURITY.md properties 1 and 10). In
development they are created on first use; production refuses to start without them.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from engine.adapters import schema_users  # noqa: F401 - registers the tables in metadata
from engine.adapters.sql_uow import register_repository
from engine.adapters.sql_users import Pepper, SecretBox, SqlUsers
from engine.errors import ConfigurationError, Conflict, InvalidInput
from keys.keyring import FileKeyRing

PEPPER_FILE = "pepper"
USERS_KEYRING = "users"
DEMO_ROLES = ("mesa_de_partes", "oii", "chief", "custodian", "st_pad", "instructing_authority",
              "deciding_authority", "appeal_body", "hr", "oci", "entity_head", "auditor", "admin")


def _read_or_create_pepper(settings) -> bytes:
    path = Path(settings.keys_path) / PEPPER_FILE
    if not path.exists():
        if settings.production:
            raise ConfigurationError(f"no pepper at {path}: provision it (32 random bytes, mode 0600)")
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(32))
    if path.stat().st_mode & 0o077:
        raise ConfigurationError(f"refusing to read {path}: run 'chmod 600 {path}'")
    return path.read_bytes()


def _open_users_keyring(settings):
    path = Path(settings.keys_path) / USERS_KEYRING
    if not FileKeyRing.exists(path):
        if settings.production:
            raise ConfigurationError(f"no users keyring at {path}: provision keys")
        return FileKeyRing.create(path, USERS_KEYRING)
    return FileKeyRing(path, USERS_KEYRING)


def wire(engine, settings, db) -> None:
    """Register `uow.users` and the users collaborators; make sure the default entity exists."""
    register_repository("users", SqlUsers)
    extras = engine.rt.extras
    extras["users.pepper"] = Pepper(_read_or_create_pepper(settings))
    extras["users.secrets"] = SecretBox(_open_users_keyring(settings))
    engine.configure_password_hashing()
    try:
        if engine.entity(engine.default_tenant) is None:
            engine.create_entity(engine.default_tenant, "Entidad por defecto", actor="system")
    except Conflict:
        pass


def seed_demo_users(engine, settings) -> list[str]:
    """Development only: one demo user per internal role in the default entity (printed once)."""
    if settings is not None and getattr(settings, "production", False):
        return ["demo users are never created in production"]
    existing = {u.username for u in engine.users()}
    lines = []
    for role in DEMO_ROLES:
        username = f"demo_{role}"
        if username in existing:
            continue
        password = secrets.token_urlsafe(12)
        try:
            user = engine.create_user(username, password, f"Demo {role}", [role], actor="init")
        except (Conflict, InvalidInput):
            continue
        secret = engine.enroll_totp(user.id, actor="init", confirmed=True)
        lines.append(f"demo user {username} password {password} totp-secret {secret}")
    if lines:
        lines.insert(0, "demo users (development only; shown once):")
    return lines
