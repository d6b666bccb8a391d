"""Lifecycle: one complaint from intake to closure in probidad (SQLite file, persisted, sealed, audited,
through the Python API) against the same BPMN in raw SpiffWorkflow in memory (bench/raw.py).

Runs are interleaved (probidad, floor, floor, floor, probidad, ...) so that a busy machine slows every
side alike, and medians are reported.
"""

from __future__ import annotations

from bench.common import (
    STEPS_PER_CASE,
    bench_engine,
    dispose,
    goal_row,
    median,
    row,
    run_complaint,
    scratch_dir,
    timed,
)

GOAL = 1.5


def _sizes(quick: bool, n: int | None) -> int:
    return n if n is not None else (8 if quick else 40)


def measure(engine, n: int) -> dict[str, list[float]]:
    """Per-lifecycle seconds of probidad and of the three raw SpiffWorkflow variants, interleaved."""
    from bench.raw import RawComplaint

    variants = {
        "raw": RawComplaint(engine.rt),
        "raw_state_only": RawComplaint(engine.rt, state_only=True),
        "raw_default_engine": RawComplaint(engine.rt, default_engine=True),
    }
    for _ in range(2):  # warm up: parse and cache specs, compile statements
        run_complaint(engine)
        for variant in variants.values():
            variant.run()
    times: dict[str, list[float]] = {"probidad": [], **{k: [] for k in variants}}
    for _ in range(n):
        times["probidad"].append(timed(lambda: run_complaint(engine))[0])
        for name, variant in variants.items():
            times[name].append(timed(variant.run)[0])
    return times


def rows_from(times: dict[str, list[float]], n: int, backend: str = "sqlite") -> list[dict]:
    """The lifecycle rows from measured times."""
    ms = {k: median(v) * 1000 for k, v in times.items()}
    suffix = "" if backend == "sqlite" else f"_{backend}"
    result = [
        row(f"lifecycle_probidad_ms{suffix}", ms["probidad"], "ms", n, None, backend=backend,
            steps=STEPS_PER_CASE, note="start + 5 user tasks, each its own transaction"),
        row(f"lifecycle_step_ms{suffix}", ms["probidad"] / STEPS_PER_CASE, "ms", n, None, backend=backend),
    ]
    if backend != "sqlite":
        return result
    result += [
        row("lifecycle_raw_ms", ms["raw"], "ms", n, None,
            note="raw SpiffWorkflow in memory, same sandboxed script engine, serialize_json (with spec) per step"),
        row("lifecycle_raw_state_only_ms", ms["raw_state_only"], "ms", n, None,
            note="raw SpiffWorkflow, sandboxed engine, JSON of the instance state only (no spec) per step"),
        row("lifecycle_raw_default_engine_ms", ms["raw_default_engine"], "ms", n, None,
            note="raw SpiffWorkflow with its default PythonScriptEngine (no sandbox), serialize_json per step"),
        goal_row("lifecycle_ratio", ms["probidad"] / ms["raw"], "ratio", n, "lifecycle_raw_ms", GOAL),
        row("lifecycle_ratio_vs_state_only", ms["probidad"] / ms["raw_state_only"], "ratio", n,
            "lifecycle_raw_state_only_ms"),
        row("lifecycle_ratio_vs_default_engine", ms["probidad"] / ms["raw_default_engine"], "ratio", n,
            "lifecycle_raw_default_engine_ms"),
    ]
    return result


def run(quick: bool, n: int | None = None) -> list[dict]:
    """Lifecycle figures on a SQLite file with file keyrings."""
    count = _sizes(quick, n)
    with scratch_dir() as folder:
        engine, _ = bench_engine(folder)
        try:
            return rows_from(measure(engine, count), count)
        finally:
            dispose(engine)


def run_on(url: str, n: int, backend: str) -> list[dict]:
    """The probidad side only, on another database (PostgreSQL)."""
    with scratch_dir() as folder:
        engine, _ = bench_engine(folder, database_url=url)
        try:
            run_complaint(engine)
            times = {"probidad": [timed(lambda: run_complaint(engine))[0] for _ in range(n)]}
            return rows_from(times, n, backend)
        finally:
            dispose(engine)
