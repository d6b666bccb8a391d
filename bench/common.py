"""Shared helpers for the benchmarks: rows, timing, a benchmark engine, the complaint path, PostgreSQL."""

from __future__ import annotations

import contextlib
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# Monday 3 March 2025, 10:00 in Lima: the benchmarks' frozen "now".
START = datetime(2025, 3, 3, 15, 0, tzinfo=UTC)
DAY = "2025-03-03"
# A web complaint, anonymous, no protection request: the main path of bpmn/denuncia.bpmn.
INTAKE = {"channel": "web", "anonymous": True, "reason_categories": ["bribery"], "fact_date": "2025-01-10",
          "protection_requested": False}
# Intake -> acknowledgement -> admissibility -> classification -> routing (OCI) -> feedback -> closed.
PATH: tuple[tuple[str, dict], ...] = (
    ("acknowledge_receipt", {"ack_method": "platform", "ack_date": DAY}),
    ("assess_admissibility", {"admissibility": "admissible"}),
    ("classify", {"classification": "corruption"}),
    ("route", {"route_targets": ["oci"]}),
    ("send_feedback", {"feedback_sent_on": DAY}),
)
STEPS_PER_CASE = 1 + len(PATH)
PG_ENV = "PROBIDAD_BENCH_PG_URL"


def row(name: str, value: float, unit: str, n: int, compared_with: Any = None, **extra: Any) -> dict:
    """One benchmark figure: {"name","value","unit","n","compared_with", ...extra}."""
    result = {"name": name, "value": round(float(value), 6), "unit": unit, "n": int(n),
              "compared_with": compared_with}
    result.update(extra)
    return result


def goal_row(name: str, value: float, unit: str, n: int, compared_with: Any, goal: float, **extra: Any) -> dict:
    """A figure with a goal (value <= goal)."""
    return row(name, value, unit, n, compared_with, goal=goal, meets_goal=bool(value <= goal), **extra)


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0-100) by nearest rank on sorted values."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def median(values: list[float]) -> float:
    """The median."""
    return statistics.median(values) if values else 0.0


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    """(seconds, result) of one call, by perf_counter."""
    began = time.perf_counter()
    result = action()
    return time.perf_counter() - began, result


@contextlib.contextmanager
def scratch_dir(prefix: str = "probidad-bench-") -> Iterator[Path]:
    """A temporary folder removed afterwards."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def bench_engine(folder: Path, database_url: str | None = None, deploy: bool = True):
    """An Engine on a SQLite file in `folder` (or `database_url`), with file keyrings (keys on) and a
    frozen clock; the bundled BPMN deployed. Returns (engine, clock)."""
    from engine import bootstrap
    from engine.config import Settings
    from engine.testing import FrozenClock

    settings = Settings(instance=folder, database_url=database_url or f"sqlite:///{folder / 'bench.db'}")
    bootstrap.create_dev_keys(settings)
    clock = FrozenClock(START)
    engine = bootstrap.build(settings, clock=clock)
    if deploy:
        engine.deploy_files(bootstrap.bundled_bpmn_files(), actor="bench")
    return engine, clock


def complete_by_name(engine, case_id: str, name: str, data: dict) -> None:
    """Complete the ready task `name` of a case."""
    ready = [t for t in engine.tasks(case_id=case_id) if t.name == name]
    if not ready:
        raise RuntimeError(f"bench: task {name} is not ready")
    engine.complete_task(ready[0].id, data, actor="bench")


def run_complaint(engine) -> str:
    """Drive one complaint from intake to closure through the Python API; return its id."""
    case_id = engine.start_case("denuncia", INTAKE, actor="bench")
    for name, data in PATH:
        complete_by_name(engine, case_id, name, data)
    return case_id


def dispose(engine) -> None:
    """Close the engine's database pool."""
    db = getattr(engine, "db", None)
    if db is not None:
        db.dispose()


@contextlib.contextmanager
def postgres() -> Iterator[tuple[str | None, str]]:
    """(url factory, how) for PostgreSQL: PROBIDAD_BENCH_PG_URL, else a throwaway server from tests/pg.py
    (initdb + pg_ctl), else (None, reason). The factory returns the URL of a fresh empty database."""
    url = os.environ.get(PG_ENV)
    if url:
        yield (lambda _name: url), f"{PG_ENV}"
        return
    root = str(Path(__file__).resolve().parents[1])
    if root not in sys.path and (Path(root) / "tests" / "pg.py").exists():
        sys.path.append(root)  # the console script does not put the checkout on sys.path
    try:
        from tests.pg import find_pg_bin, start_server
    except ImportError:
        yield None, "tests/pg.py not available"
        return
    if find_pg_bin() is None:
        yield None, "PostgreSQL not installed (no initdb)"
        return
    try:
        server = start_server()
    except Exception as exc:  # noqa: BLE001 - PostgreSQL is optional for the benchmarks
        yield None, f"could not start PostgreSQL: {type(exc).__name__}"
        return
    try:
        yield server.create_database, "throwaway server (initdb/pg_ctl, fsync=off, synchronous_commit=off)"
    finally:
        server.stop()
