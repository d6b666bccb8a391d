"""Notices to officers: records, the recipient directory port, content-free e-mail rendering, and
the e-mail outbox.

SECURITY.md 7 and 13: a notice carries the case code (a prefix of the case id), the deadline's name
(the policy title), its due date in Lima and a link. It never carries narrative, names, receipts
or workflow variables; rendering takes only those fields, so nothing else can reach an e-mail.

E-mail goes through an outbox written in the reminder's transaction. A row is claimed (state
'sending', with a lease) in one short transaction, sent, then marked 'sent'. A crash between the
SMTP hand-off and the final mark can repeat one e-mail after the lease expires; every message has a
Message-ID derived from its content, so the repeat is recognisable as the same message.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from engine.clock import to_lima
from engine.errors import ProbidadError
from engine.ports import UnitOfWork
from engine.services.context import Runtime

log = logging.getLogger("probidad.notify")

OUTBOX_LEASE = timedelta(minutes=10)
MAX_ATTEMPTS = 5
CASE_CODE_LENGTH = 8
KIND_LABELS = {
    "before": "Recordatorio: el plazo está por vencer",
    "due": "Aviso: el plazo venció",
    "escalation": "Escalamiento (LPAG 143): plazo vencido sin atender",
}


@dataclass(frozen=True)
class Recipient:
    """Who receives a notice: a user id (in-app inbox) and, if known, an e-mail address."""

    user_id: str
    email: str | None = None


class RecipientDirectory(Protocol):
    """Maps an escalation level of a lane to people (assignee -> superior -> office_head -> entity_head)."""

    def recipients(self, tenant_id: str, lane: str | None, assignee: str | None,
                   level: str) -> list[Recipient]: ...

    def email_for(self, tenant_id: str, user_id: str) -> str | None: ...


class TableRecipientDirectory:
    """The default RecipientDirectory, backed by the `notify_recipients` table (uow.recipients).

    Level `assignee`: the task's assignee when there is one (with the e-mail the table gives that
    user), else every user listed for the lane at level `assignee`. Other levels (superior,
    office_head, entity_head): the users listed for the lane at that level, else for role '*'.
    """

    def __init__(self, uow_factory: Callable[..., UnitOfWork]):
        self.uow_factory = uow_factory

    def recipients(self, tenant_id: str, lane: str | None, assignee: str | None, level: str) -> list[Recipient]:
        """The people who play `level` for a lane of an entity."""
        with self.uow_factory(readonly=True) as uow:
            if level == "assignee" and assignee:
                return [Recipient(assignee, uow.recipients.email_for(tenant_id, assignee))]
            found = uow.recipients.lookup(tenant_id, [lane], level) if lane else []
            return found or uow.recipients.lookup(tenant_id, ["*"], level)

    def email_for(self, tenant_id: str, user_id: str) -> str | None:
        """A user's e-mail address as listed in the table."""
        with self.uow_factory(readonly=True) as uow:
            return uow.recipients.email_for(tenant_id, user_id)


@dataclass
class ReminderRecord:
    """One notice owed for a timer: `before`, `due` or an `escalation` at a chain level."""

    timer_id: int
    case_id: str
    tenant_id: str
    policy: str
    kind: str
    level: int
    role: str
    at: datetime
    due_at: datetime
    dedupe: str
    state: str = "pending"
    sent_at: datetime | None = None
    id: int | None = None


@dataclass(frozen=True)
class Notification:
    """An in-app notice in an officer's inbox."""

    id: int
    user_id: str
    case_id: str | None
    kind: str
    policy: str | None
    due_at: datetime | None
    created_at: datetime
    read_at: datetime | None
    title: str = ""
    role: str | None = None

    @property
    def case_code(self) -> str:
        """The short case code shown to people."""
        return case_code(self.case_id)


@dataclass
class OutboxMail:
    """An e-mail waiting in the outbox (rendered only at send time)."""

    id: int
    dedupe_key: str
    to_addr: str
    user_id: str
    case_id: str | None
    policy: str | None
    kind: str
    due_at: datetime | None
    digest_for: str | None
    state: str
    attempts: int
    created_at: datetime


@dataclass
class DeliveryResult:
    """What one outbox run did."""

    sent: int = 0
    failed: int = 0
    retried: list[int] = field(default_factory=list)


def case_code(case_id: str | None) -> str:
    """The case code: the first characters of the case id, upper-case."""
    return (case_id or "")[:CASE_CODE_LENGTH].upper()


def due_day(due_at: datetime) -> str:
    """The last day of a term in Lima (a term expires at the end of that day, LPAG 140.1)."""
    return to_lima(due_at - timedelta(microseconds=1)).date().isoformat()


def policy_title(rt: Runtime, policy: str | None) -> str:
    """The deadline's name: the policy's Spanish title, else its id."""
    if policy and policy in rt.policies:
        return rt.policies.get(policy).title_es
    return policy or "plazo"


def render_notice(mail: OutboxMail, title: str, base_url: str) -> tuple[str, str]:
    """Subject and body of a reminder e-mail: case code, deadline name, due date and link only."""
    code, day = case_code(mail.case_id), due_day(mail.due_at) if mail.due_at else "-"
    label = KIND_LABELS.get(mail.kind, "Aviso")
    subject = f"[probidad] {label.split(':')[0]} - caso {code} - vence {day}"
    link = f"{base_url.rstrip('/')}/casos/{mail.case_id}"
    body = (f"{label}.\n\nCaso: {code}\nPlazo: {title}\nVence: {day} (hora de Lima)\n\n"
            f"Ver el caso: {link}\n\nEste mensaje no contiene información del caso. "
            f"Referencia: {reference(mail.dedupe_key)}\n")
    return subject, body


def reference(dedupe_key: str) -> str:
    """A short reference of one notice: it makes every e-mail distinct, and a resend identical."""
    return "R-" + hashlib.sha256(dedupe_key.encode()).hexdigest()[:12].upper()


def render_digest(day: str, items: list[Notification], base_url: str) -> tuple[str, str]:
    """A daily digest: one line per unread notice (case code, deadline name, due date, link)."""
    lines = [f"Resumen de plazos del {day}: {len(items)} avisos sin leer.", ""]
    for item in items:
        due = due_day(item.due_at) if item.due_at else "-"
        link = f"{base_url.rstrip('/')}/casos/{item.case_id}"
        lines.append(f"- Caso {item.case_code}: {item.title} - vence {due} - {link}")
    lines += ["", "Este mensaje no contiene información de los casos."]
    return f"[probidad] Resumen diario de plazos {day}", "\n".join(lines) + "\n"


def _render(rt: Runtime, uow: UnitOfWork, mail: OutboxMail, base_url: str) -> tuple[str, str]:
    if mail.kind == "digest":
        since = mail.created_at - timedelta(days=1)
        items = [_titled(rt, n) for n in uow.notices.inbox(mail.user_id, unread_only=True, since=since, limit=200)]
        return render_digest(mail.digest_for or "", items, base_url)
    return render_notice(mail, policy_title(rt, mail.policy), base_url)


def _titled(rt: Runtime, notice: Notification) -> Notification:
    return Notification(notice.id, notice.user_id, notice.case_id, notice.kind, notice.policy, notice.due_at,
                        notice.created_at, notice.read_at, policy_title(rt, notice.policy), notice.role)


def titled(rt: Runtime, notices: list[Notification]) -> list[Notification]:
    """Notices with their deadline names filled in from the policies."""
    return [_titled(rt, n) for n in notices]


def deliver_outbox(uow_factory: Callable[..., UnitOfWork], rt: Runtime, now: datetime,
                   limit: int = 100) -> DeliveryResult:
    """Send pending e-mails: claim with a lease, send, mark sent; failures retry up to MAX_ATTEMPTS."""
    result = DeliveryResult()
    notifier = rt.notifier
    if notifier is None:
        return result
    base_url = getattr(rt.settings, "base_url", "http://127.0.0.1:5000")
    skip: set[int] = set()
    while True:
        with uow_factory() as uow:
            rows = [m for m in uow.notices.claimable_mail(now, now - OUTBOX_LEASE, limit + len(skip))
                    if m.id not in skip]
        if not rows:
            return result
        for mail in rows[:limit]:
            skip.add(mail.id)
            _send_one(uow_factory, rt, notifier, mail, now, base_url, result)


def _send_one(uow_factory, rt: Runtime, notifier: Any, mail: OutboxMail, now: datetime, base_url: str,
              result: DeliveryResult) -> None:
    with uow_factory() as uow:
        if not uow.notices.claim_mail(mail.id, now, now - OUTBOX_LEASE):
            return
        subject, body = _render(rt, uow, mail, base_url)
        uow.commit()
    try:
        notifier.send(mail.to_addr, subject, body)
    except (OSError, ProbidadError) as exc:
        log.warning("e-mail %d not sent: %s", mail.id, type(exc).__name__)
        with uow_factory() as uow:
            gave_up = uow.notices.release_mail(mail.id, MAX_ATTEMPTS)
            uow.commit()
        result.failed += int(gave_up)
        result.retried.append(mail.id)
        return
    with uow_factory() as uow:
        uow.notices.finish_mail(mail.id, now)
        uow.commit()
    result.sent += 1


def queue_digests(uow_factory: Callable[..., UnitOfWork], rt: Runtime, now: datetime) -> int:
    """Queue one digest e-mail per officer with unread notices from the last day (once per Lima day)."""
    directory = rt.recipients
    if directory is None or rt.notifier is None:
        return 0
    day = to_lima(now).date().isoformat()
    queued = 0
    with uow_factory() as uow:
        for user_id, tenant_id in uow.notices.unread_users(now - timedelta(days=1)):
            email = directory.email_for(tenant_id, user_id)
            if email and uow.notices.enqueue_mail(f"digest:{user_id}:{day}", email, user_id, None, None,
                                                  "digest", None, now, digest_for=day):
                queued += 1
        uow.commit()
    return queued
