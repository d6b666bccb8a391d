"""Tables of the users feature: entities, users, receipts and conflict-of-interest markers.

No content here: receipts are stored as an Argon2id hash plus an HMAC-pepper lookup value, the TOTP
secret is sealed (AES-256-GCM under the `users` keyring), and the conflict markers are HMACs of a
normalised accused name (SECURITY.md properties 1, 9 and 10).
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Index, Integer, LargeBinary, String, Table, UniqueConstraint

from engine.adapters.schema import TS, metadata

entities = Table(
    "entities", metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", TS, nullable=False),
)

users = Table(
    "users", metadata,
    Column("id", String(32), primary_key=True),
    Column("username", String(100), nullable=False, unique=True),
    Column("full_name", String(200), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("roles", JSON, nullable=False),
    Column("tenant_id", String(64), nullable=False),
    Column("superior_id", String(32)),
    Column("totp_sealed", LargeBinary),
    Column("totp_kek_version", Integer),
    Column("totp_last_counter", Integer),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", TS, nullable=False),
    Index("ix_users_tenant", "tenant_id"),
)

receipts = Table(
    "receipts", metadata,
    Column("case_id", String(32), ForeignKey("cases.id"), primary_key=True),
    Column("lookup", String(64), nullable=False, unique=True),
    Column("hash", String(200), nullable=False),
    Column("created_at", TS, nullable=False),
)

case_markers = Table(
    "case_markers", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", String(32), ForeignKey("cases.id"), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("value", String(64), nullable=False),
    UniqueConstraint("case_id", "kind", "value", name="uq_case_marker"),
    Index("ix_case_markers_case", "case_id"),
)

web_sessions = Table(
    "web_sessions", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("subject", String(64), nullable=False),
    Column("created_at", TS, nullable=False),
    Column("last_seen", TS, nullable=False),
    Index("ix_web_sessions_subject", "subject"),
)
