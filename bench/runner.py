"""Run every benchmark module and collect its rows (`probidad bench`)."""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable

# Cheap first; the scaling benchmarks (bulk inserts of 100k cases) last. bench/sweep.py is owned by the
# sweep benchmark; it is skipped with a row saying so while it does not exist.
MODULES = ("lifecycle", "crypto_share", "state_size", "intake", "inbox", "sweep", "postgres")


def _load(name: str):
    try:
        return importlib.import_module(f"bench.{name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"bench.{name}":
            return None
        raise


def run_all(quick: bool, only: tuple[str, ...] | None = None,
            on_rows: Callable[[str, list[dict]], None] | None = None) -> list[dict]:
    """Every benchmark's rows, in MODULES order; `on_rows(module, rows)` is called as each finishes."""
    rows: list[dict] = []
    for name in MODULES:
        if only and name not in only:
            continue
        module = _load(name)
        began = time.perf_counter()
        found = ([{"name": f"{name}_missing", "value": 1, "unit": "flag", "n": 0, "compared_with": None,
                   "reason": f"bench/{name}.py not present"}] if module is None else module.run(quick))
        elapsed = round(time.perf_counter() - began, 2)
        for item in found:
            item.setdefault("module", name)
            item.setdefault("module_seconds", elapsed)
        if on_rows is not None:
            on_rows(name, found)
        rows.extend(found)
    return rows
