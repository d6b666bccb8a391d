"""CLI commands of the reports feature: API tokens, retention and exports.

    probidad api-token create --entity E --role R --name N   # prints the token once, last line
    probidad api-token revoke TOKEN_ID | probidad api-token list
    probidad retention set PROCESS YEARS [--entity E] | hold CASE --basis B | release CASE
    probidad retention run [--now ISO] [--keep-epoch]
    probidad export cases [--format csv|xlsx] [--fields a,b] [--entity E] [--process P] --out FILE
    probidad export reprac --year Y --quarter Q [--format csv|xlsx] [--entity E] --out FILE
    probidad export case-file CASE_ID --out FILE
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from engine.errors import InvalidInput


def _engine():
    from engine import bootstrap
    from engine.config import Settings

    return bootstrap.build(Settings.from_env())


def _write(out: str, data: bytes) -> None:
    try:
        Path(out).write_bytes(data)
    except OSError:
        raise InvalidInput(f"--out: cannot write {out}") from None
    click.echo(f"{out} ({len(data)} bytes)")


@click.command("create")
@click.option("--entity", required=True)
@click.option("--role", required=True)
@click.option("--name", required=True)
def token_create(entity: str, role: str, name: str) -> None:
    """Create an API token scoped to an entity and a role; the token is printed once."""
    token_id, token = _engine().create_api_token(entity, role, name, actor="cli")
    click.echo(f"token id: {token_id}")
    click.echo("store this token now; it cannot be shown again:")
    click.echo(token)


@click.command("revoke")
@click.argument("token_id")
def token_revoke(token_id: str) -> None:
    """Revoke an API token."""
    _engine().revoke_api_token(token_id, actor="cli")
    click.echo(f"revoked {token_id}")


@click.command("list")
def token_list() -> None:
    """List API tokens (never the tokens themselves)."""
    for row in _engine().api_tokens():
        click.echo(json.dumps(row, sort_keys=True))


@click.command("set")
@click.argument("process_id")
@click.argument("years", type=int)
@click.option("--entity", default=None)
def retention_set(process_id: str, years: int, entity: str | None) -> None:
    """Keep closed cases of a process for YEARS years, then crypto-shred them."""
    _engine().set_retention(process_id, years, actor="cli", tenant=entity)
    click.echo(f"retention {process_id}: {years} years")


@click.command("hold")
@click.argument("case_id")
@click.option("--basis", required=True, help="reference of the legal basis (no names)")
def retention_hold(case_id: str, basis: str) -> None:
    """Put a case on legal hold."""
    _engine().legal_hold(case_id, basis, actor="cli")
    click.echo(f"legal hold on {case_id}")


@click.command("release")
@click.argument("case_id")
def retention_release(case_id: str) -> None:
    """Lift a case's legal hold."""
    click.echo(f"released {_engine().release_legal_hold(case_id, actor='cli')} hold(s) on {case_id}")


@click.command("run")
@click.option("--now", "now_text", default=None, help="ISO-8601 instant (default: the clock)")
@click.option("--keep-epoch", is_flag=True, help="do not rotate and retire KEKs after shredding")
def retention_run(now_text: str | None, keep_epoch: bool) -> None:
    """Crypto-shred every case past its retention term and not on legal hold."""
    from engine.clock import parse_instant

    try:
        now = parse_instant(now_text) if now_text else None
    except ValueError:
        raise InvalidInput("--now must be an ISO-8601 instant") from None
    result = _engine().run_retention(actor="cli", now=now, destroy_epoch=not keep_epoch)
    for case_id in result.shredded:
        click.echo(f"shredded {case_id}")
    click.echo(f"{len(result.shredded)} shredded, {len(result.failed)} failed")


@click.command("cases")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv")
@click.option("--fields", default=None, help="comma-separated field names")
@click.option("--entity", default=None)
@click.option("--process", "process_id", default=None)
@click.option("--status", default=None)
@click.option("--out", required=True, type=click.Path(dir_okay=False))
def export_cases(fmt: str, fields: str | None, entity: str | None, process_id: str | None, status: str | None,
                 out: str) -> None:
    """Export a case list."""
    chosen = [f.strip() for f in fields.split(",") if f.strip()] if fields else None
    _write(out, _engine().export_cases("cli", fmt, chosen, entity, process_id, status))


@click.command("reprac")
@click.option("--year", type=int, required=True)
@click.option("--quarter", type=int, required=True)
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv")
@click.option("--entity", default=None)
@click.option("--out", required=True, type=click.Path(dir_okay=False))
def export_reprac(year: int, quarter: int, fmt: str, entity: str | None, out: str) -> None:
    """Export the quarterly REPRAC report."""
    _write(out, _engine().export_reprac("cli", year, quarter, fmt, entity))


@click.command("case-file")
@click.argument("case_id")
@click.option("--out", required=True, type=click.Path(dir_okay=False))
def export_case_file(case_id: str, out: str) -> None:
    """Export a case file as PDF (identity redacted) with its hash manifest."""
    _write(out, _engine().case_file(case_id, "cli").pdf)


def register(main) -> None:
    """Attach `api-token`, `retention` and `export` groups to the `probidad` group."""
    group_cls = type(main)
    groups = {}
    for name, help_text in (("api-token", "Per-system API tokens."), ("retention", "Retention and legal holds."),
                            ("export", "Exports (audited).")):
        groups[name] = main.commands.get(name) or group_cls(name, help=help_text)
        main.add_command(groups[name])
    for command in (token_create, token_revoke, token_list):
        groups["api-token"].add_command(command)
    for command in (retention_set, retention_hold, retention_release, retention_run):
        groups["retention"].add_command(command)
    for command in (export_cases, export_reprac, export_case_file):
        groups["export"].add_command(command)
