"""SQL repositories of the content store and sealed identities (`uow.content`, `uow.identity`).

They move ciphertext and ids only; sealing and opening happen in engine.adapters.content_sealing.
"""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection

from engine.adapters import schema as core
from engine.adapters import schema_content as t
from engine.adapters.db import aware


def _ns(row) -> SimpleNamespace | None:
    if row is None:
        return None
    data = {k: aware(v) if isinstance(v, datetime) else v for k, v in dict(row._mapping).items()}
    return SimpleNamespace(**data)


class SqlContent:
    """Content data keys, fields, comments, attachments, tombstones."""

    def __init__(self, conn: Connection):
        self.conn = conn

    # -- data keys -----------------------------------------------------------------------------
    def get_key(self, case_id: str) -> SimpleNamespace | None:
        """The wrapped content key of a case (wrapped_key, kek_version, tenant_id) or None."""
        return _ns(self.conn.execute(select(t.content_keys).where(t.content_keys.c.case_id == case_id)).first())

    def put_key(self, case_id: str, tenant_id: str, wrapped_key: bytes, kek_version: int) -> None:
        """Store a new case's wrapped content key."""
        self.conn.execute(insert(t.content_keys).values(case_id=case_id, tenant_id=tenant_id,
                                                        wrapped_key=wrapped_key, kek_version=kek_version))

    def rewrap_key(self, case_id: str, wrapped_key: bytes, kek_version: int) -> None:
        """Replace a wrapped key after rotation; no ciphertext changes."""
        self.conn.execute(update(t.content_keys).where(t.content_keys.c.case_id == case_id)
                          .values(wrapped_key=wrapped_key, kek_version=kek_version))

    def all_keys(self) -> list[SimpleNamespace]:
        """Every wrapped content key, by case id."""
        rows = self.conn.execute(select(t.content_keys).order_by(t.content_keys.c.case_id)).all()
        return [_ns(r) for r in rows]

    def count_key_version(self, kek_version: int) -> int:
        """How many case keys are still wrapped under a KEK version."""
        c = t.content_keys.c
        query = select(func.count()).select_from(t.content_keys).where(c.kek_version == kek_version)
        return int(self.conn.execute(query).scalar_one())

    # -- fields --------------------------------------------------------------------------------
    def put_field(self, case_id: str, field: str, ciphertext: bytes, at: datetime, by: str) -> None:
        """Insert or replace one sealed content field."""
        c = t.content_fields.c
        values = {"ciphertext": ciphertext, "updated_at": at, "updated_by": by}
        result = self.conn.execute(update(t.content_fields).where(c.case_id == case_id, c.field == field)
                                   .values(**values))
        if result.rowcount == 0:
            self.conn.execute(insert(t.content_fields).values(case_id=case_id, field=field, **values))

    def fields(self, case_id: str) -> list[SimpleNamespace]:
        """The sealed fields of a case (field, ciphertext, updated_at, updated_by)."""
        c = t.content_fields.c
        rows = self.conn.execute(select(t.content_fields).where(c.case_id == case_id).order_by(c.field)).all()
        return [_ns(r) for r in rows]

    # -- comments ------------------------------------------------------------------------------
    def add_comment(self, **values) -> None:
        """Store a sealed comment at the next position of its case (stable order at equal times)."""
        c = t.content_comments.c
        count = self.conn.execute(select(func.count()).select_from(t.content_comments)
                                  .where(c.case_id == values["case_id"])).scalar_one()
        self.conn.execute(insert(t.content_comments).values(position=int(count) + 1, **values))

    def comments(self, case_id: str) -> list[SimpleNamespace]:
        """The sealed comments of a case, oldest first."""
        c = t.content_comments.c
        query = select(t.content_comments).where(c.case_id == case_id).order_by(c.position, c.created_at, c.id)
        return [_ns(r) for r in self.conn.execute(query).all()]

    # -- attachments ---------------------------------------------------------------------------
    def add_attachment(self, **values) -> None:
        """Store a sealed attachment."""
        self.conn.execute(insert(t.content_attachments).values(**values))

    def attachment(self, case_id: str, attachment_id: str) -> SimpleNamespace | None:
        """One sealed attachment of a case (with its body) or None."""
        c = t.content_attachments.c
        return _ns(self.conn.execute(select(t.content_attachments)
                                     .where(c.case_id == case_id, c.id == attachment_id)).first())

    def attachments(self, case_id: str) -> list[SimpleNamespace]:
        """The attachments of a case without their bodies, oldest first."""
        c = t.content_attachments.c
        query = (select(c.id, c.case_id, c.size, c.created_at, c.created_by, c.meta_ciphertext,
                        c.wrapped_file_key).where(c.case_id == case_id).order_by(c.created_at, c.id))
        return [_ns(r) for r in self.conn.execute(query).all()]

    def attachment_stats(self, case_id: str) -> tuple[int, int]:
        """(count, total bytes) of a case's attachments."""
        c = t.content_attachments.c
        row = self.conn.execute(select(func.count(), func.coalesce(func.sum(c.size), 0))
                                .where(c.case_id == case_id)).one()
        return int(row[0]), int(row[1])

    # -- shredding -----------------------------------------------------------------------------
    def destroy_case(self, case_id: str, now: datetime) -> dict[str, int]:
        """Delete every wrapped key and blob of a case; cancel its tasks and timers. Counts per table."""
        counts = {}
        tables = (t.identity_grants, t.identity_release_requests, t.complainant_notices, t.case_identities,
                  t.content_attachments, t.content_comments, t.content_fields, t.content_keys, core.case_states)
        for table in tables:
            counts[table.name] = self.conn.execute(delete(table).where(table.c.case_id == case_id)).rowcount
        counts["tasks"] = self.conn.execute(
            update(core.tasks).where(core.tasks.c.case_id == case_id, core.tasks.c.state == "ready")
            .values(state="cancelled", completed_at=now)).rowcount
        counts["timers"] = self.conn.execute(
            update(core.timers).where(core.timers.c.case_id == case_id, core.timers.c.state == "waiting")
            .values(state="cancelled")).rowcount
        return counts

    def add_tombstone(self, **values) -> None:
        """Keep the content-free tombstone of a shredded case."""
        self.conn.execute(insert(t.case_tombstones).values(**values))

    def tombstone(self, case_id: str) -> SimpleNamespace | None:
        """The tombstone of a shredded case, or None."""
        return _ns(self.conn.execute(select(t.case_tombstones)
                                     .where(t.case_tombstones.c.case_id == case_id)).first())


class SqlIdentity:
    """Sealed identities, release requests, officer grants and keys, complainant notices."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def get(self, case_id: str) -> SimpleNamespace | None:
        """The sealed identity of a case, or None."""
        return _ns(self.conn.execute(select(t.case_identities)
                                     .where(t.case_identities.c.case_id == case_id)).first())

    def code_exists(self, code: str) -> bool:
        """True if an identity code is already taken."""
        c = t.case_identities.c
        return self.conn.execute(select(c.case_id).where(c.identity_code == code)).first() is not None

    def add(self, **values) -> None:
        """Store a sealed identity."""
        self.conn.execute(insert(t.case_identities).values(**values))

    def add_request(self, **values) -> None:
        """Store a release request."""
        self.conn.execute(insert(t.identity_release_requests).values(**values))

    def get_request(self, request_id: str) -> SimpleNamespace | None:
        """One release request, or None."""
        c = t.identity_release_requests.c
        return _ns(self.conn.execute(select(t.identity_release_requests).where(c.id == request_id)).first())

    def decide_request(self, request_id: str, state: str, by: str, at: datetime, exemption: str | None) -> None:
        """Record the custodian's decision on a pending request."""
        c = t.identity_release_requests.c
        self.conn.execute(update(t.identity_release_requests).where(c.id == request_id, c.state == "pending")
                          .values(state=state, decided_by=by, decided_at=at, notice_exemption=exemption))

    def add_grant(self, **values) -> None:
        """Store an identity key re-wrapped to one officer."""
        self.conn.execute(insert(t.identity_grants).values(**values))

    def grant(self, case_id: str, officer: str) -> SimpleNamespace | None:
        """An officer's grant on a case's identity, or None."""
        c = t.identity_grants.c
        return _ns(self.conn.execute(select(t.identity_grants)
                                     .where(c.case_id == case_id, c.officer == officer)).first())

    def drop_grants_of(self, officer: str) -> int:
        """Delete every grant of an officer (their key pair was replaced)."""
        c = t.identity_grants.c
        return self.conn.execute(delete(t.identity_grants).where(c.officer == officer)).rowcount

    def officer_key(self, user: str) -> SimpleNamespace | None:
        """An officer's public key and locked private key, or None."""
        return _ns(self.conn.execute(select(t.officer_keys).where(t.officer_keys.c.user == user)).first())

    def put_officer_key(self, user: str, **values) -> None:
        """Insert or replace an officer's key pair."""
        c = t.officer_keys.c
        result = self.conn.execute(update(t.officer_keys).where(c.user == user).values(**values))
        if result.rowcount == 0:
            self.conn.execute(insert(t.officer_keys).values(user=user, **values))

    def add_notice(self, case_id: str, kind: str, reference: str | None, at: datetime) -> None:
        """Queue a content-free notice to the complainant."""
        self.conn.execute(insert(t.complainant_notices).values(case_id=case_id, kind=kind, reference=reference,
                                                               created_at=at))

    def notices(self, case_id: str) -> list[SimpleNamespace]:
        """The notices queued for a case's complainant."""
        c = t.complainant_notices.c
        return [_ns(r) for r in self.conn.execute(select(t.complainant_notices)
                                                  .where(c.case_id == case_id).order_by(c.id)).all()]
