"""Tables of the BPMN designer: drafts saved by auditors (issue 8).

A draft is a BPMN diagram being edited, not case content: it holds no personal data. It is kept
apart from deployed versions (process_definitions) so that saving never changes what runs.
"""

from __future__ import annotations

from sqlalchemy import Column, Index, LargeBinary, String, Table

from engine.adapters.schema import TS, metadata

designer_drafts = Table(
    "designer_drafts", metadata,
    Column("id", String(32), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("process_id", String(100)),
    Column("xml", LargeBinary, nullable=False),
    Column("author", String(100), nullable=False),
    Column("saved_at", TS, nullable=False),
    Index("ix_designer_drafts_tenant", "tenant_id", "saved_at"),
)
