"""Tables of the notify feature: reminder schedule, e-mail outbox, recipient directory.

In-app notifications use the shared `notifications` table of engine.adapters.schema (its unique
`dedupe_key` makes each notice exactly-once). No table here holds case content: ids, policy ids,
instants, user ids and officers' e-mail addresses only.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, UniqueConstraint

from engine.adapters.schema import TS, metadata

# One row per notice owed for a waiting timer: `before` reminders, the `due` notice and one
# `escalation` per level of the policy's chain. Written in the transaction that creates the timer
# row; the sweep claims rows with state='pending' AND at <= now through ix_reminders_due: O(due).
reminders = Table(
    "reminders", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("timer_id", Integer, ForeignKey("timers.id"), nullable=False),
    Column("case_id", String(32), ForeignKey("cases.id"), nullable=False),
    Column("tenant_id", String(64), nullable=False),
    Column("policy", String(100), nullable=False),
    Column("kind", String(20), nullable=False),  # before | due | escalation
    Column("level", Integer, nullable=False),  # index in the policy's escalation chain
    Column("role", String(40), nullable=False),  # assignee | superior | office_head | entity_head
    Column("at", TS, nullable=False),
    Column("due_at", TS, nullable=False),
    Column("state", String(20), nullable=False),  # pending | sent | skipped | cancelled
    Column("sent_at", TS),
    Column("dedupe", String(120), nullable=False),
    UniqueConstraint("dedupe", name="uq_reminder_dedupe"),
    Index("ix_reminders_due", "state", "at"),
    Index("ix_reminders_timer", "timer_id", "state"),
    Index("ix_reminders_case", "case_id", "state"),  # so cancels never scan ix_reminders_due
)

# The e-mail outbox: rows are written in the reminder's transaction and sent afterwards, so a
# failed SMTP server never loses or blocks a reminder. Subject and body are rendered at send time
# from ids, the policy title and the due date: nothing else can reach an e-mail.
email_outbox = Table(
    "email_outbox", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("dedupe_key", String(200), nullable=False),
    Column("to_addr", String(254), nullable=False),
    Column("user_id", String(100), nullable=False),
    Column("case_id", String(32)),
    Column("policy", String(100)),
    Column("kind", String(30), nullable=False),  # before | due | escalation | digest
    Column("due_at", TS),
    Column("digest_for", String(10)),  # Lima date of a digest
    Column("state", String(20), nullable=False),  # pending | sending | sent | failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("created_at", TS, nullable=False),
    Column("claimed_at", TS),
    Column("sent_at", TS),
    UniqueConstraint("dedupe_key", name="uq_outbox_dedupe"),
    Index("ix_outbox_state", "state", "created_at"),
)

# The default recipient directory: who plays each escalation level for a lane (role) of an entity.
# role '*' applies to every lane (e.g. the office head or the entity head).
notify_recipients = Table(
    "notify_recipients", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", String(64), nullable=False),
    Column("role", String(64), nullable=False),
    Column("level", String(40), nullable=False),
    Column("user_id", String(100), nullable=False),
    Column("email", String(254)),
    UniqueConstraint("tenant_id", "role", "level", "user_id", name="uq_notify_recipient"),
    Index("ix_notify_recipients_lookup", "tenant_id", "role", "level"),
)
