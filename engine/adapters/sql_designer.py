"""SQL repository of the designer: drafts, and how many open cases run on each process version."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection

from engine.adapters import schema as t
from engine.adapters.db import aware
from engine.adapters.schema_designer import designer_drafts


class SqlDesigner:
    """Drafts (per tenant) and case counts per process version."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def add_draft(self, draft_id: str, tenant_id: str, process_id: str | None, xml: bytes, author: str,
                  saved_at: datetime) -> None:
        """Store a new draft."""
        self.conn.execute(insert(designer_drafts).values(id=draft_id, tenant_id=tenant_id, process_id=process_id,
                                                         xml=xml, author=author, saved_at=saved_at))

    def list_drafts(self, tenant_id: str, limit: int = 200) -> list[dict]:
        """Drafts of a tenant, newest first, without their XML."""
        c = designer_drafts.c
        rows = self.conn.execute(select(c.id, c.process_id, c.author, c.saved_at).where(c.tenant_id == tenant_id)
                                 .order_by(c.saved_at.desc(), c.id.desc()).limit(limit)).all()
        return [{"id": r.id, "process_id": r.process_id, "author": r.author, "saved_at": aware(r.saved_at)}
                for r in rows]

    def get_draft(self, draft_id: str, tenant_id: str) -> dict | None:
        """One draft with its XML, or None."""
        c = designer_drafts.c
        row = self.conn.execute(select(designer_drafts).where(c.id == draft_id, c.tenant_id == tenant_id)).first()
        if row is None:
            return None
        return {"id": row.id, "process_id": row.process_id, "xml": bytes(row.xml), "author": row.author,
                "saved_at": aware(row.saved_at)}

    def open_case_counts(self) -> dict[str, dict[int, int]]:
        """{process_id: {version: number of open cases}}."""
        c = t.cases.c
        rows = self.conn.execute(select(c.process_id, c.process_version, func.count())
                                 .where(c.status == "open").group_by(c.process_id, c.process_version)).all()
        counts: dict[str, dict[int, int]] = {}
        for process_id, version, count in rows:
            counts.setdefault(process_id, {})[int(version)] = int(count)
        return counts
