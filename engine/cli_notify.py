"""CLI commands of the notify feature: `probidad notify tick|digest|add-recipient|recipients|inbox`."""

from __future__ import annotations

import click

from engine.clock import parse_instant
from engine.errors import InvalidInput


def _now(text: str | None):
    if not text:
        return None
    try:
        return parse_instant(text)
    except ValueError:
        raise InvalidInput(f"--now: not an ISO-8601 instant: {text[:40]}") from None


def register(main) -> None:
    """Attach the `notify` group to the `probidad` command."""
    from engine.cli import CliGroup, _engine

    @main.group(cls=CliGroup)
    def notify() -> None:
        """Reminders, escalation and notices of running deadlines."""

    @notify.command("tick")
    @click.option("--now", "now_text", default=None, help="ISO-8601 instant (default: the clock)")
    def notify_tick(now_text: str | None) -> None:
        """Send due reminders and queued e-mails once; print how many reminders were sent."""
        click.echo(_engine().send_reminders(_now(now_text)).sent)

    @notify.command("digest")
    @click.option("--now", "now_text", default=None, help="ISO-8601 instant (default: the clock)")
    def notify_digest(now_text: str | None) -> None:
        """Send today's digest e-mail to each officer with unread notices; print how many."""
        click.echo(_engine().send_digest(_now(now_text)))

    _directory_commands(notify, _engine)
    _inbox_commands(notify, _engine)


def _directory_commands(notify, _engine) -> None:
    @notify.command("add-recipient")
    @click.argument("role")
    @click.argument("level")
    @click.argument("user_id")
    @click.option("--email", default=None)
    def notify_add_recipient(role: str, level: str, user_id: str, email: str | None) -> None:
        """Configure who plays LEVEL (assignee, superior, office_head, entity_head) for lane ROLE ('*': all)."""
        _engine().add_notify_recipient(role, level, user_id, email, actor="cli")
        click.echo("ok")

    @notify.command("recipients")
    def notify_recipients() -> None:
        """List the recipient directory: role, level, user, e-mail."""
        for role, level, user_id, email in _engine().notify_recipients():
            click.echo(f"{role}\t{level}\t{user_id}\t{email or '-'}")



def _inbox_commands(notify, _engine) -> None:
    @notify.command("inbox")
    @click.argument("user_id")
    @click.option("--all", "show_all", is_flag=True, help="include read notices")
    def notify_inbox(user_id: str, show_all: bool) -> None:
        """A user's in-app notices: id, kind, case code, deadline, due date."""
        for item in _engine().notifications(user_id, unread_only=not show_all):
            due = item.due_at.date().isoformat() if item.due_at else "-"
            click.echo(f"{item.id}\t{item.kind}\t{item.case_code}\t{item.title}\t{due}")

    @notify.command("reminders")
    @click.argument("case_id")
    def notify_reminders(case_id: str) -> None:
        """A case's reminders: instant, kind, level, policy, state (the companion of `case show`)."""
        for r in _engine().reminders_for_case(case_id):
            click.echo(f"{r.at.isoformat()}\t{r.kind}\t{r.role}\t{r.policy}\t{r.state}")
