"""SQL repositories of the notify feature: reminder rows, in-app notices with the e-mail outbox, and
the recipient directory table.

The record types live in engine.services.notify (a layer above); the composition root passes them in
(`record=`, `notice=`, `mail=`, `recipient=`), so this module imports no service code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.engine import Connection

from engine.adapters import schema as t
from engine.adapters import schema_notify as n
from engine.adapters import sql_statements as q
from engine.adapters.db import aware
from engine.adapters.sql_fast import run
from engine.adapters.sql_statements import values_of


def _values(row) -> dict:
    return {k: aware(v) if isinstance(v, datetime) else v for k, v in dict(row._mapping).items()}


class SqlReminders:
    """The reminder schedule (O(due) claims through ix_reminders_due)."""

    def __init__(self, conn: Connection, skip_locked: bool = False, record: Callable[..., object] = dict):
        self.conn = conn
        self.skip_locked = skip_locked
        self.record = record

    def add_many(self, rows: Sequence) -> None:
        """Insert planned reminder rows."""
        values = [values_of(row, without=("id",)) for row in rows]
        if values:
            run(self.conn, q.reminder_insert(), values)

    def cancel_for_timers(self, timer_ids: Iterable[int]) -> int:
        """Cancel the pending rows of timers that no longer wait (their task was completed)."""
        ids = sorted(set(timer_ids))
        return run(self.conn, q.reminders_cancel("timer_id"), [{"b_key": i} for i in ids]).rowcount if ids else 0

    def cancel_for_case(self, case_id: str) -> int:
        """Cancel every pending row of a closed case."""
        return run(self.conn, q.reminders_cancel("case_id"), {"b_key": case_id}).rowcount

    def claim_due(self, now: datetime, limit: int) -> list:
        """Pending rows due at `now`, oldest first; FOR UPDATE SKIP LOCKED on PostgreSQL."""
        c = n.reminders.c
        query = select(n.reminders).where(c.state == "pending", c.at <= now).order_by(c.at, c.id).limit(limit)
        if self.skip_locked:
            query = query.with_for_update(skip_locked=True)
        return [self.record(**_values(r)) for r in self.conn.execute(query).all()]

    def mark(self, reminder_id: int, state: str, at: datetime) -> bool:
        """Flip a pending row to its final state; False if it was no longer pending."""
        c = n.reminders.c
        result = self.conn.execute(update(n.reminders).where(c.id == reminder_id, c.state == "pending")
                                   .values(state=state, sent_at=at))
        return result.rowcount == 1

    def for_case(self, case_id: str) -> list:
        """Every reminder row of a case, by instant."""
        c = n.reminders.c
        rows = self.conn.execute(select(n.reminders).where(c.case_id == case_id).order_by(c.at, c.id)).all()
        return [self.record(**_values(r)) for r in rows]

    def count(self, state: str | None = None) -> int:
        """How many rows (in a state)."""
        query = select(func.count()).select_from(n.reminders)
        if state is not None:
            query = query.where(n.reminders.c.state == state)
        return int(self.conn.execute(query).scalar_one())


class SqlNotices:
    """In-app notices (the shared `notifications` table) and the e-mail outbox."""

    def __init__(self, conn: Connection, notice: Callable[..., object] = dict, mail: Callable[..., object] = dict):
        self.conn = conn
        self.notice = notice
        self.mail = mail

    def add_inbox(self, key: str, user_id: str, case_id: str | None, kind: str, policy: str | None,
                  due_at: datetime | None, now: datetime, meta: dict) -> bool:
        """Add an in-app notice once (False when the dedupe key already exists)."""
        c = t.notifications.c
        if self.conn.execute(select(c.id).where(c.dedupe_key == key)).first() is not None:
            return False
        self.conn.execute(insert(t.notifications).values(
            dedupe_key=key, recipient=user_id, case_id=case_id, kind=kind, policy=policy, due_at=due_at,
            created_at=now, meta=meta))
        return True

    def inbox(self, user_id: str, unread_only: bool = True, since: datetime | None = None,
              limit: int = 50) -> list:
        """A user's notices, newest first."""
        c = t.notifications.c
        query = select(t.notifications).where(c.recipient == user_id)
        if unread_only:
            query = query.where(c.read_at.is_(None))
        if since is not None:
            query = query.where(c.created_at >= since)
        rows = self.conn.execute(query.order_by(c.created_at.desc(), c.id.desc()).limit(limit)).all()
        return [self._notice(r) for r in rows]

    def _notice(self, row):
        v = _values(row)
        return self.notice(id=v["id"], user_id=v["recipient"], case_id=v["case_id"], kind=v["kind"],
                           policy=v["policy"], due_at=v["due_at"], created_at=v["created_at"],
                           read_at=v["read_at"], role=(v["meta"] or {}).get("role"))

    def mark_read(self, notification_id: int, user_id: str, at: datetime) -> bool:
        """Mark a user's notice read; False if it is not that user's."""
        c = t.notifications.c
        row = self.conn.execute(select(c.id, c.read_at).where(c.id == notification_id, c.recipient == user_id)).first()
        if row is None:
            return False
        if row.read_at is None:
            self.conn.execute(update(t.notifications).where(c.id == notification_id).values(read_at=at))
        return True

    def unread_users(self, since: datetime) -> list[tuple[str, str]]:
        """(user id, tenant) pairs with unread notices created since an instant."""
        c, cases = t.notifications.c, t.cases.c
        query = (select(c.recipient, cases.tenant_id).join(t.cases, cases.id == c.case_id)
                 .where(c.read_at.is_(None), c.created_at >= since).distinct().order_by(c.recipient))
        return [(r.recipient, r.tenant_id) for r in self.conn.execute(query).all()]

    def enqueue_mail(self, key: str, to_addr: str, user_id: str, case_id: str | None, policy: str | None,
                     kind: str, due_at: datetime | None, now: datetime, digest_for: str | None = None) -> bool:
        """Queue an e-mail once (False when the dedupe key already exists)."""
        c = n.email_outbox.c
        if self.conn.execute(select(c.id).where(c.dedupe_key == key)).first() is not None:
            return False
        self.conn.execute(insert(n.email_outbox).values(
            dedupe_key=key, to_addr=to_addr, user_id=user_id, case_id=case_id, policy=policy, kind=kind,
            due_at=due_at, digest_for=digest_for, state="pending", attempts=0, created_at=now))
        return True

    def _claimable(self, lease_before: datetime):
        c = n.email_outbox.c
        return or_(c.state == "pending", and_(c.state == "sending", c.claimed_at < lease_before))

    def claimable_mail(self, now: datetime, lease_before: datetime, limit: int) -> list:
        """Pending e-mails, and e-mails whose sending lease expired (a crashed sender)."""
        c = n.email_outbox.c
        query = (select(n.email_outbox).where(self._claimable(lease_before), c.created_at <= now)
                 .order_by(c.created_at, c.id).limit(limit))
        rows = self.conn.execute(query).all()
        return [self.mail(**{k: v for k, v in _values(r).items() if k not in ("claimed_at", "sent_at")})
                for r in rows]

    def claim_mail(self, mail_id: int, now: datetime, lease_before: datetime) -> bool:
        """Take the sending lease of one e-mail; False if another sender holds it or it was sent."""
        c = n.email_outbox.c
        result = self.conn.execute(update(n.email_outbox).where(c.id == mail_id, self._claimable(lease_before))
                                   .values(state="sending", claimed_at=now, attempts=c.attempts + 1))
        return result.rowcount == 1

    def release_mail(self, mail_id: int, max_attempts: int) -> bool:
        """After a failed send: back to pending, or 'failed' after max_attempts (returns True then)."""
        c = n.email_outbox.c
        row = self.conn.execute(select(c.attempts).where(c.id == mail_id)).first()
        gave_up = row is not None and row.attempts >= max_attempts
        self.conn.execute(update(n.email_outbox).where(c.id == mail_id, c.state == "sending")
                          .values(state="failed" if gave_up else "pending"))
        return gave_up

    def finish_mail(self, mail_id: int, at: datetime) -> None:
        """Record that an e-mail was handed to the SMTP server."""
        c = n.email_outbox.c
        self.conn.execute(update(n.email_outbox).where(c.id == mail_id).values(state="sent", sent_at=at))

    def mail_count(self, state: str | None = None) -> int:
        """How many outbox rows (in a state)."""
        query = select(func.count()).select_from(n.email_outbox)
        if state is not None:
            query = query.where(n.email_outbox.c.state == state)
        return int(self.conn.execute(query).scalar_one())


class SqlRecipients:
    """The default directory's table: who plays each escalation level for a lane of an entity."""

    def __init__(self, conn: Connection, recipient: Callable[..., object] | None = None):
        self.conn = conn
        self.recipient = recipient or (lambda user_id, email: (user_id, email))

    def add(self, tenant_id: str, role: str, level: str, user_id: str, email: str | None) -> None:
        """Add (or update the e-mail of) one directory entry."""
        c = n.notify_recipients.c
        where = (c.tenant_id == tenant_id, c.role == role, c.level == level, c.user_id == user_id)
        if self.conn.execute(update(n.notify_recipients).where(*where).values(email=email)).rowcount == 0:
            self.conn.execute(insert(n.notify_recipients).values(tenant_id=tenant_id, role=role, level=level,
                                                                 user_id=user_id, email=email))

    def remove(self, tenant_id: str, role: str, level: str, user_id: str) -> bool:
        """Remove one entry; False if it was not there."""
        c = n.notify_recipients.c
        stmt = n.notify_recipients.delete().where(c.tenant_id == tenant_id, c.role == role, c.level == level,
                                                  c.user_id == user_id)
        return self.conn.execute(stmt).rowcount > 0

    def lookup(self, tenant_id: str, roles: Sequence[str], level: str) -> list:
        """Entries for a level of any of these roles (in the order of `roles`)."""
        c = n.notify_recipients.c
        rows = self.conn.execute(select(n.notify_recipients).where(
            c.tenant_id == tenant_id, c.role.in_(list(roles)), c.level == level).order_by(c.id)).all()
        order = {role: i for i, role in enumerate(roles)}
        rows = sorted(rows, key=lambda r: order[r.role])
        return [self.recipient(r.user_id, r.email) for r in rows]

    def email_for(self, tenant_id: str, user_id: str) -> str | None:
        """A user's e-mail address as configured in the directory."""
        c = n.notify_recipients.c
        row = self.conn.execute(select(c.email).where(c.tenant_id == tenant_id, c.user_id == user_id,
                                                      c.email.is_not(None)).limit(1)).first()
        return row.email if row else None

    def list(self, tenant_id: str) -> list[tuple[str, str, str, str | None]]:
        """Every entry of an entity as (role, level, user id, e-mail)."""
        c = n.notify_recipients.c
        rows = self.conn.execute(select(n.notify_recipients).where(c.tenant_id == tenant_id)
                                 .order_by(c.role, c.level, c.user_id)).all()
        return [(r.role, r.level, r.user_id, r.email) for r in rows]
