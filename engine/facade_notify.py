"""Engine API methods for the notify feature (a mixin of engine.facade.Engine): reminders and
escalation of running deadlines, in-app notices, e-mail delivery and the recipient directory."""

from __future__ import annotations

from datetime import datetime

from engine.errors import InvalidInput, NotFound
from engine.services import audit
from engine.services.notify import Notification, deliver_outbox, queue_digests, titled
from engine.services.reminders import ReminderResult, SendDueReminders, send_due_reminders

LEVELS = ("assignee", "superior", "office_head", "entity_head")


class NotifyApi:
    """Mixin: notify operations of the Engine. Uses self.rt (Runtime) and self.default_tenant."""

    def send_reminders(self, now: datetime | None = None) -> ReminderResult:
        """Send every reminder and escalation due at `now`, then deliver queued e-mails."""
        now = now or self.rt.now()
        result = send_due_reminders(SendDueReminders(now, getattr(self.settings, "timer_batch", 200)),
                                    self.rt.uow_factory, self.rt)
        result.emailed = deliver_outbox(self.rt.uow_factory, self.rt, now).sent
        return result

    def deliver_email(self, now: datetime | None = None) -> int:
        """Send queued e-mails (retries included); return how many were sent."""
        return deliver_outbox(self.rt.uow_factory, self.rt, now or self.rt.now()).sent

    def send_digest(self, now: datetime | None = None) -> int:
        """Queue and send today's digest to each officer with unread notices; return how many queued."""
        now = now or self.rt.now()
        queued = queue_digests(self.rt.uow_factory, self.rt, now)
        deliver_outbox(self.rt.uow_factory, self.rt, now)
        return queued

    def notifications(self, user_id: str, unread_only: bool = True, limit: int = 50) -> list[Notification]:
        """A user's in-app notices (newest first): case code, deadline name, due date, kind."""
        with self.rt.uow_factory(readonly=True) as uow:
            found = uow.notices.inbox(user_id, unread_only=unread_only, limit=limit)
        return titled(self.rt, found)

    def mark_notification_read(self, notification_id: int, user_id: str) -> None:
        """Mark one of the user's notices read; NotFound if it is not theirs."""
        with self.rt.uow_factory() as uow:
            if not uow.notices.mark_read(int(notification_id), user_id, self.rt.now()):
                raise NotFound(f"notification {notification_id} not found")
            uow.commit()

    def reminders_for_case(self, case_id: str) -> list:
        """A case's planned and handled reminders (kind, level, instant, state)."""
        with self.rt.uow_factory(readonly=True) as uow:
            if uow.cases.get(case_id) is None:
                raise NotFound(f"case {case_id} not found")
            return uow.reminders.for_case(case_id)

    def add_notify_recipient(self, role: str, level: str, user_id: str, email: str | None = None,
                             actor: str = "system", tenant: str | None = None) -> None:
        """Configure who plays an escalation level for a lane ('*' for every lane) (audited)."""
        if level not in LEVELS:
            raise InvalidInput(f"level must be one of {', '.join(LEVELS)}")
        if not role.strip() or not user_id.strip() or (email is not None and "@" not in email):
            raise InvalidInput("a recipient needs a role, a user id and a valid e-mail address (or none)")
        tenant = tenant or self.default_tenant
        with self.rt.uow_factory() as uow:
            uow.recipients.add(tenant, role.strip(), level, user_id.strip(), email)
            audit.record(uow, self.rt.now(), actor, "notify.recipient_add", None,
                         {"tenant": tenant, "role": role, "level": level, "user": user_id})
            uow.commit()

    def notify_recipients(self, tenant: str | None = None) -> list[tuple[str, str, str, str | None]]:
        """The recipient directory of an entity: (role, level, user id, e-mail)."""
        with self.rt.uow_factory(readonly=True) as uow:
            return uow.recipients.list(tenant or self.default_tenant)
