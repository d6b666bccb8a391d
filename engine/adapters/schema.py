"""The database schema (SQLAlchemy Core). Content never sits in plaintext columns."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()
TS = DateTime(timezone=True)

process_definitions = Table(
    "process_definitions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("process_id", String(100), nullable=False),
    Column("version", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("name", String(200), nullable=False, default=""),
    Column("filename", String(255), nullable=False),
    Column("xml", LargeBinary, nullable=False),
    Column("deployed_by", String(100), nullable=False),
    Column("deployed_at", TS, nullable=False),
    UniqueConstraint("process_id", "version", name="uq_definition_version"),
    UniqueConstraint("process_id", "sha256", name="uq_definition_sha"),
)

cases = Table(
    "cases", metadata,
    Column("id", String(32), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("process_id", String(100), nullable=False),
    Column("process_version", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("stage", String(100)),
    Column("outcome", String(100)),
    Column("version", Integer, nullable=False),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
    Column("closed_at", TS),
    Column("next_due_at", TS),
    Index("ix_cases_tenant_status", "tenant_id", "status"),
    Index("ix_cases_process", "process_id", "process_version"),
)

case_states = Table(
    "case_states", metadata,
    Column("case_id", String(32), ForeignKey("cases.id"), primary_key=True),
    Column("ciphertext", LargeBinary, nullable=False),
    Column("wrapped_key", LargeBinary, nullable=False),
    Column("kek_version", Integer, nullable=False),
    Column("serializer_version", String(20), nullable=False),
)

tasks = Table(
    "tasks", metadata,
    Column("id", String(36), primary_key=True),
    Column("case_id", String(32), ForeignKey("cases.id"), nullable=False),
    Column("tenant_id", String(64), nullable=False),
    Column("process_id", String(100), nullable=False),
    Column("name", String(100), nullable=False),
    Column("title", String(200), nullable=False),
    Column("lane", String(64)),
    Column("form_id", String(100), nullable=False),
    Column("state", String(20), nullable=False),
    Column("assignee", String(100)),
    Column("due_at", TS),
    Column("created_at", TS, nullable=False),
    Column("completed_at", TS),
    Column("completed_by", String(100)),
    Index("ix_tasks_inbox", "state", "tenant_id", "lane", "due_at", "created_at", "id"),
    Index("ix_tasks_case", "case_id"),
)

timers = Table(
    "timers", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", String(32), ForeignKey("cases.id"), nullable=False),
    Column("tenant_id", String(64), nullable=False),
    Column("task_id", String(36), nullable=False),
    Column("name", String(100), nullable=False),
    Column("policy", String(100)),
    Column("attached_to", String(100)),
    Column("due_at", TS, nullable=False),
    Column("started_at", TS, nullable=False),
    Column("state", String(20), nullable=False),
    Column("fired_at", TS),
    UniqueConstraint("case_id", "task_id", name="uq_timer_task"),
    Index("ix_timers_due", "state", "due_at"),
    Index("ix_timers_case", "case_id", "state"),  # (case, state): SQLite must not pick ix_timers_due
)

case_links = Table(
    "case_links", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", String(32), ForeignKey("cases.id"), nullable=False),
    Column("other_case_id", String(32), ForeignKey("cases.id"), nullable=False),
    Column("relation", String(50), nullable=False),
    Column("created_at", TS, nullable=False),
    Index("ix_links_case", "case_id"),
)

audit_log = Table(
    "audit_log", metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False),
    Column("at", TS, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("action", String(100), nullable=False),
    Column("case_id", String(32)),
    Column("details", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("ix_audit_case", "case_id"),
)

calendar_days = Table(
    "calendar_days", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", String(64), nullable=False),
    Column("day", Date, nullable=False),
    Column("reason", String(200), nullable=False),
    UniqueConstraint("tenant_id", "day", name="uq_calendar_day"),
)

policy_overrides = Table(
    "policy_overrides", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", String(64), nullable=False),
    Column("policy_id", String(100), nullable=False),
    Column("length", Integer, nullable=False),
    Column("basis", String(300), nullable=False),
    Column("set_by", String(100), nullable=False),
    Column("set_at", TS, nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    UniqueConstraint("tenant_id", "policy_id", name="uq_policy_override"),
)

notifications = Table(
    "notifications", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("dedupe_key", String(200), nullable=False, unique=True),
    Column("recipient", String(100), nullable=False),
    Column("case_id", String(32), ForeignKey("cases.id")),
    Column("kind", String(30), nullable=False),
    Column("policy", String(100)),
    Column("due_at", TS),
    Column("created_at", TS, nullable=False),
    Column("emailed_at", TS),
    Column("read_at", TS),
    Column("meta", JSON),
    Index("ix_notifications_recipient", "recipient", "read_at"),
)
from engine.adapters import (  # noqa: E402 - feature tables register on `metadata` defined above
    schema_content,  # noqa: E402,F401
    schema_designer,  # noqa: E402,F401
    schema_notify,  # noqa: E402,F401
    schema_ops,  # noqa: E402,F401
    schema_reports,  # noqa: E402,F401
    schema_users,  # noqa: E402,F401
)
