"""Tables of the reports feature: case facts, API tokens, retention policies and legal holds.

`case_facts` is a plaintext projection of a FIXED allow-list of non-sensitive workflow variables
(channel, reason categories, decisions, counts, published report numbers): closed choice codes,
integers, dates and public identifiers only, never content (SECURITY.md property 1; docs/reports.md).
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, Index, Integer, String, Table, UniqueConstraint

from engine.adapters.schema import metadata

TS = DateTime(timezone=True)

case_facts = Table(
    "case_facts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", String(32), nullable=False),
    Column("tenant_id", String(64), nullable=False),
    Column("process_id", String(100), nullable=False),
    Column("key", String(60), nullable=False),
    Column("value", String(300), nullable=False),
    UniqueConstraint("case_id", "key", "value", name="uq_case_fact"),
    Index("ix_case_facts_key", "key", "tenant_id"),
    Index("ix_case_facts_case", "case_id"),
)

api_tokens = Table(
    "api_tokens", metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("tenant_id", String(64), nullable=False),
    Column("role", String(64), nullable=False),
    Column("created_at", TS, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("revoked_at", TS),
    Column("last_used_at", TS),
)

retention_policies = Table(
    "retention_policies", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", String(64), nullable=False),
    Column("process_id", String(100), nullable=False),
    Column("years", Integer, nullable=False),
    Column("set_by", String(100), nullable=False),
    Column("set_at", TS, nullable=False),
    UniqueConstraint("tenant_id", "process_id", name="uq_retention_policy"),
)

legal_holds = Table(
    "legal_holds", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", String(32), nullable=False),
    Column("basis", String(300), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("set_by", String(100), nullable=False),
    Column("set_at", TS, nullable=False),
    Column("released_by", String(100)),
    Column("released_at", TS),
    Index("ix_legal_holds_case", "case_id", "active"),
)
