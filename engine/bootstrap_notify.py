"""Composition root for the notify feature: wires its adapters into the engine."""

from __future__ import annotations

from engine.adapters import schema_notify  # noqa: F401 - the tables must be in `metadata`
from engine.adapters.sql_notify import SqlNotices, SqlRecipients, SqlReminders
from engine.adapters.sql_uow import register_repository
from engine.services.notify import Notification, OutboxMail, Recipient, ReminderRecord, TableRecipientDirectory
from engine.services.reminders import schedule_for_case


def _reminders_repo(conn):
    return SqlReminders(conn, skip_locked=conn.engine.dialect.name == "postgresql", record=ReminderRecord)


def _notices_repo(conn):
    return SqlNotices(conn, notice=Notification, mail=OutboxMail)


def _recipients_repo(conn):
    return SqlRecipients(conn, recipient=Recipient)


def wire(engine, settings, db) -> None:
    """Register the reminder, notice and recipient repositories, the store hook that plans
    reminders, the default recipient directory and (when PROBIDAD_SMTP_URL is set) the SMTP notifier."""
    register_repository("reminders", _reminders_repo)
    register_repository("notices", _notices_repo)
    register_repository("recipients", _recipients_repo)
    rt = engine.rt
    hooks = list(rt.extras.get("after_store", ()))
    if schedule_for_case not in hooks:
        hooks.append(schedule_for_case)
    rt.extras["after_store"] = tuple(hooks)
    if rt.recipients is None:
        rt.recipients = TableRecipientDirectory(rt.uow_factory)
    smtp_url = getattr(settings, "smtp_url", None)
    if rt.notifier is None and smtp_url:
        from engine.adapters.smtp import SmtpNotifier

        rt.notifier = SmtpNotifier(smtp_url, getattr(settings, "mail_from", "probidad@localhost"))
