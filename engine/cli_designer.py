"""CLI commands of the designer feature: case migration between versions, cases per version."""

from __future__ import annotations

import sys

import click


def _engine():
    from engine import bootstrap
    from engine.config import Settings

    return bootstrap.build(Settings.from_env())


@click.command("migrate")
@click.argument("case_ids", nargs=-1, required=True)
@click.option("--to-version", "to_version", type=int, required=True, help="the deployed version to move to")
@click.option("--as", "actor", default="cli")
def case_migrate(case_ids: tuple[str, ...], to_version: int, actor: str) -> None:
    """Move running cases to another version when their state maps onto it (audited)."""
    failed = False
    for result in _engine().migrate_cases(case_ids, to_version, actor=actor):
        if result.ok:
            click.echo(f"{result.case_id} v{result.from_version} -> v{result.to_version}")
        else:
            failed = True
            click.echo(f"error: {result.case_id}: not migrated: {result.reason}", err=True)
    sys.exit(1 if failed else 0)


@click.command("versions")
def case_versions() -> None:
    """Print how many open cases run on each process version: PROCESS_ID VERSION COUNT."""
    for process_id, versions in sorted(_engine().cases_by_version().items()):
        for version, count in sorted(versions.items()):
            click.echo(f"{process_id} {version} {count}")


def register(main) -> None:
    """Attach `probidad case migrate` and `probidad case versions` to the existing `case` group."""
    case = main.commands.get("case")
    if case is None:
        return
    case.add_command(case_migrate)
    case.add_command(case_versions)
