"""`probidad bench [--quick] [--json]` (ARCHITECTURE §3): benchmarks, see docs/benchmarks.md.

The `bench` package is imported inside the command: the engine does not depend on it.
"""

from __future__ import annotations

import json

import click


def _format(item: dict) -> str:
    goal = ""
    if "goal" in item:
        goal = f"  goal <= {item['goal']:g} {'ok' if item.get('meets_goal') else 'MISSED'}"
    compared = f"  vs {item['compared_with']}" if item.get("compared_with") else ""
    return f"{item['name']:<44} {item['value']:>14.4f} {item['unit']:<9} n={item['n']:<6}{compared}{goal}"


def register(main: click.Group) -> None:
    """Attach `probidad bench`."""

    @main.command("bench")
    @click.option("--quick", is_flag=True, help="Small sizes and few repetitions (under 2 minutes on 2 cores).")
    @click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
    @click.option("--only", multiple=True, help="Run only these benchmark modules (repeatable).")
    def bench_command(quick: bool, as_json: bool, only: tuple[str, ...]) -> None:
        """Measure probidad against raw SpiffWorkflow, and how sweeps, inboxes and intake scale."""
        from bench.runner import MODULES, run_all

        unknown = [name for name in only if name not in MODULES]
        if unknown:
            raise click.BadParameter(f"unknown benchmark {', '.join(unknown)}; known: {', '.join(MODULES)}")

        def emit(_module: str, rows: list[dict]) -> None:
            for item in rows:
                click.echo(json.dumps(item, default=str) if as_json else _format(item))

        run_all(quick, only or None, on_rows=emit)
