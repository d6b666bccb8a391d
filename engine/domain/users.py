"""Records of the users feature: entities (tenants) and internal users. No IO."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Entity:
    """An entity (tenant): a public body with its own integrity office."""

    id: str
    name: str
    active: bool = True
    created_at: datetime | None = None


@dataclass(frozen=True)
class User:
    """An internal user. The TOTP secret is sealed; the password is an Argon2id hash."""

    id: str
    username: str
    full_name: str
    password_hash: str = field(repr=False)
    roles: tuple[str, ...]
    tenant_id: str
    superior_id: str | None = None
    totp_sealed: bytes | None = field(default=None, repr=False)
    totp_kek_version: int | None = None
    totp_last_counter: int | None = None
    active: bool = True
    created_at: datetime | None = None

    @property
    def totp_enrolled(self) -> bool:
        """True once a TOTP code has been verified for the current secret."""
        return self.totp_sealed is not None and self.totp_last_counter is not None

    def has_role(self, *codes: str) -> bool:
        """True if the user holds any of these roles."""
        return any(code in self.roles for code in codes)
