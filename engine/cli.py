"""The `probidad` command (ARCHITECTURE §3). Bad input exits 1 with one clear line, never a traceback."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import click

from engine.clock import parse_instant
from engine.config import Settings
from engine.errors import InvalidBpmn, ProbidadError


class CliGroup(click.Group):
    """Turns engine errors into one line on stderr and exit code 1."""

    def main(self, *args, **kwargs):
        """Run the CLI; usage errors exit 1 with one line too (the interface contract)."""
        kwargs["standalone_mode"] = False
        try:
            result = super().main(*args, **kwargs)
        except click.exceptions.Abort:
            click.echo("error: aborted", err=True)
            sys.exit(1)
        except click.ClickException as exc:
            click.echo(f"error: {exc.format_message()}", err=True)
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)

    def invoke(self, ctx):
        """Run the command; report ProbidadError and key errors plainly."""
        try:
            return super().invoke(ctx)
        except InvalidBpmn as exc:
            for problem in exc.problems:
                click.echo(f"error: {problem}", err=True)
            sys.exit(1)
        except ProbidadError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
        except Exception as exc:
            if type(exc).__module__.startswith("keys"):
                click.echo(f"error: {type(exc).__name__}: {exc}", err=True)
                sys.exit(1)
            raise


def _engine():
    from engine import bootstrap

    return bootstrap.build(Settings.from_env())


def _json_arg(text: str | None) -> dict:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise click.BadParameter(f"invalid JSON: {exc.msg}") from None
    if not isinstance(value, dict):
        raise click.BadParameter("--data must be a JSON object")
    return value


@click.group(cls=CliGroup)
def main() -> None:
    """probidad: workflow and case management for integrity offices."""


@main.command()
def init() -> None:
    """Create the schema, development keys, deploy bundled BPMN, and demo users."""
    from engine import bootstrap

    settings = Settings.from_env()
    settings.instance.mkdir(parents=True, exist_ok=True)
    created = bootstrap.create_dev_keys(settings)
    if created:
        click.echo(f"created development keyrings: {', '.join(created)} in {settings.keys_path}")
    engine = bootstrap.build(settings)
    for result in engine.deploy_files(bootstrap.bundled_bpmn_files(), actor="init"):
        click.echo(f"{result.process_id} {result.version} {result.sha256}")
    users = getattr(bootstrap, "seed_demo_users", None)
    if users is not None:
        for line in users(engine, settings):
            click.echo(line)


@main.command()
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
def run(host: str, port: int) -> None:
    """Development: the web app and the timer worker in one process."""
    from engine.timers import start_worker
    from web import create_app

    engine = _engine()
    worker = start_worker(engine)
    app = create_app(engine=engine)
    click.echo(f"probidad serving on http://{host}:{port}")
    try:
        app.run(host=host, port=port, debug=False, use_reloader=False)
    finally:
        worker.shutdown(wait=False)


@main.command()
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@click.option("--workers", default=0, type=int, help="serve with gunicorn and N worker processes")
def web(host: str, port: int, workers: int) -> None:
    """Production web process (put it behind gunicorn and a TLS proxy; see docs/operations.md)."""
    if workers > 0:
        from engine.ops import serve_gunicorn

        serve_gunicorn(host, port, workers)
    from web import create_app

    create_app(engine=_engine()).run(host=host, port=port, debug=False, use_reloader=False)


@main.group(invoke_without_command=True, cls=CliGroup)
@click.pass_context
def timers(ctx) -> None:
    """The timer worker (without a subcommand: run it in the foreground)."""
    if ctx.invoked_subcommand is None:
        from engine.timers import run_forever

        run_forever(_engine())


@timers.command("tick")
@click.option("--now", "now_text", default=None, help="ISO-8601 instant (default: the clock)")
def timers_tick(now_text: str | None) -> None:
    """Fire due timers once and print how many fired."""
    try:
        now = parse_instant(now_text) if now_text else None
    except ValueError:
        raise click.BadParameter(f"--now: not an ISO-8601 instant: {now_text}") from None
    click.echo(_engine().tick(now))


@main.group(cls=CliGroup)
def bpmn() -> None:
    """BPMN tools."""


@bpmn.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def bpmn_validate(files: tuple[str, ...]) -> None:
    """Parse, lint and sandbox-check BPMN files. Never executes them."""
    engine = _engine()
    failed = False
    for name in files:
        try:
            xml = Path(name).read_bytes()
        except OSError:
            click.echo(f"error: {name}: cannot read file", err=True)
            failed = True
            continue
        found = engine.validate(xml, Path(name).name)
        for problem in found:
            click.echo(f"{problem.severity}: {problem}", err=True)
        problems = [p for p in found if p.severity == "error"]
        failed = failed or bool(problems)
        if not problems:
            click.echo(f"{name}: ok")
    sys.exit(1 if failed else 0)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--as", "actor", default="cli")
def deploy(files: tuple[str, ...], actor: str) -> None:
    """Validate and deploy BPMN files; prints PROCESS_ID VERSION SHA256 per process."""
    for result in _engine().deploy_files([Path(f) for f in files], actor=actor):
        click.echo(f"{result.process_id} {result.version} {result.sha256}")


@main.group(cls=CliGroup)
def case() -> None:
    """Cases."""


@case.command("start")
@click.argument("process_id")
@click.option("--data", "data_text", default=None, help="JSON object of task data")
@click.option("--as", "actor", default="cli")
def case_start(process_id: str, data_text: str | None, actor: str) -> None:
    """Start a case; prints the case id as the last line."""
    click.echo(_engine().start_case(process_id, _json_arg(data_text), actor=actor))


@case.command("show")
@click.argument("case_id")
@click.option("--json", "as_json", is_flag=True)
def case_show(case_id: str, as_json: bool) -> None:
    """Show a case with its running deadlines."""
    view = _engine().case(case_id)
    if as_json:
        click.echo(json.dumps(view.as_dict(), default=str, indent=2))
        return
    click.echo(f"case {view.id}  process {view.process_id} v{view.process_version}  status {view.status}"
               + (f"  outcome {view.outcome}" if view.outcome else ""))
    for task in view.tasks:
        click.echo(f"  task {task.id}  {task.name}  lane={task.lane}  due={task.due_at or '-'}")
    for d in view.deadlines:
        left = f"  {d.business_days_left} business days left" if d.business_days_left is not None else ""
        click.echo(f"  deadline {d.policy or d.name}  due {d.due_at.isoformat()}  {d.state}{left}")
    for link in view.links:
        click.echo(f"  link {link.relation} {link.case_id} ({link.process_id})")


@main.group(cls=CliGroup)
def task() -> None:
    """Tasks."""


@task.command("list")
@click.option("--case", "case_id", default=None)
@click.option("--as", "actor", default=None)
@click.option("--json", "as_json", is_flag=True)
def task_list(case_id: str | None, actor: str | None, as_json: bool) -> None:
    """List ready tasks."""
    views = _engine().tasks(case_id=case_id)
    if as_json:
        click.echo(json.dumps([v.as_dict() for v in views], indent=2))
        return
    for v in views:
        click.echo(f"{v.id}  {v.case_id}  {v.name}  lane={v.lane}  due={v.due_at or '-'}")


@task.command("complete")
@click.argument("task_id")
@click.option("--data", "data_text", default=None)
@click.option("--as", "actor", default="cli")
def task_complete(task_id: str, data_text: str | None, actor: str) -> None:
    """Complete a ready task with data."""
    case_id = _engine().complete_task(task_id, _json_arg(data_text), actor=actor)
    click.echo(case_id)


@main.group(cls=CliGroup)
def calendar() -> None:
    """The business-day calendar (LPAG 133-134)."""


@calendar.command("add-days")
@click.argument("start")
@click.argument("n", type=int)
@click.option("--calendar", "country", default="pe")
def calendar_add_days(start: str, n: int, country: str) -> None:
    """Print the due date n business days after START."""
    from engine.business_days import BusinessCalendar, add_days_cli

    click.echo(add_days_cli(start, n, BusinessCalendar(country)))


@calendar.command("add-holiday")
@click.argument("day")
@click.argument("reason")
def calendar_add_holiday(day: str, reason: str) -> None:
    """Add an entity extra non-working day (supreme decree, regional holiday, closure)."""
    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        raise click.BadParameter(f"not a date (YYYY-MM-DD): {day}") from None
    _engine().add_extra_day(parsed, reason, actor="cli")
    click.echo(f"{parsed.isoformat()} added")


@calendar.command("list-holidays")
def calendar_list_holidays() -> None:
    """List the entity's extra non-working days."""
    for day in _engine().extra_days():
        click.echo(day.isoformat())


@main.group(cls=CliGroup)
def audit() -> None:
    """The audit log."""


@audit.command("verify")
def audit_verify() -> None:
    """Verify the hash chain; report the first broken link."""
    report = _engine().audit_verify()
    if not report.ok:
        click.echo(f"error: audit chain broken at entry {report.broken_at}: {report.reason}", err=True)
        sys.exit(1)
    click.echo(f"audit chain ok: {report.checked} entries")


def _register_features() -> None:
    """Attach the command groups of feature modules (each owns its `engine/cli_<feature>.py`)."""
    from engine import cli_bench, cli_content, cli_db, cli_designer, cli_notify, cli_reports, cli_users

    for module in (cli_content, cli_notify, cli_users, cli_reports, cli_db, cli_bench, cli_designer):
        module.register(main)


_register_features()
if __name__ == "__main__":
    main()
