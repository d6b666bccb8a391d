"""Intake throughput: complaints started per second (start_case through the Python API: allow-list check,
workflow start to the first wait, sealed state, inbox and timer rows, reminders, audit; one commit each).

With one process, and with N processes (multiprocessing, fork) on the same database. SQLite allows one
writer at a time (WAL, BEGIN IMMEDIATE): N processes overlap their Python work but queue on the write
lock, so the N-process figure measures that contention honestly rather than N times one process.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import time
from pathlib import Path

from bench.common import INTAKE, bench_engine, dispose, row, scratch_dir


def _start_many(engine, count: int) -> None:
    for _ in range(count):
        engine.start_case("denuncia", INTAKE, actor="bench")


def _worker(folder: str, url: str | None, count: int, barrier, results) -> None:
    engine, _ = bench_engine(Path(folder), database_url=url, deploy=False)
    try:
        _start_many(engine, 2)  # warm up: parse, caches
        barrier.wait()
        began = time.perf_counter()
        _start_many(engine, count)
        results.put((began, time.perf_counter(), count))
    finally:
        dispose(engine)


def _collect(workers: list, results, limit: float = 900.0) -> list[tuple[float, float, int]]:
    """Each worker's (began, ended, count); fails fast when a worker dies instead of waiting."""
    spans, deadline = [], time.monotonic() + limit
    while len(spans) < len(workers):
        try:
            spans.append(results.get(timeout=1))
        except queue.Empty:
            dead = [w for w in workers if w.exitcode not in (None, 0)]
            if dead or time.monotonic() > deadline:
                for worker in workers:
                    worker.kill()
                raise RuntimeError("bench: an intake worker failed") from None
    return spans


def parallel(folder: Path, url: str | None, processes: int, per_process: int) -> float:
    """Complaints per second with `processes` processes started together (wall time of the slowest)."""
    # fork: children inherit nothing open (the parent's engine is disposed) and build their own engine;
    # spawn would re-import the caller's main module.
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    barrier, results = ctx.Barrier(processes), ctx.Queue()
    workers = [ctx.Process(target=_worker, args=(str(folder), url, per_process, barrier, results))
               for _ in range(processes)]
    for worker in workers:
        worker.start()
    spans = _collect(workers, results)
    for worker in workers:
        worker.join(timeout=60)
    began, ended = min(s[0] for s in spans), max(s[1] for s in spans)
    return sum(s[2] for s in spans) / (ended - began)


def measure(url_factory=None, quick: bool = True, backend: str = "sqlite", count: int | None = None) -> list[dict]:
    """intake_per_s with 1 and N processes on one backend."""
    count = count or (40 if quick else 200)
    processes = max(2, min(4, os.cpu_count() or 2))
    suffix = "" if backend == "sqlite" else f"_{backend}"
    with scratch_dir() as folder:
        url = url_factory("bench_intake") if url_factory else None
        engine, _ = bench_engine(folder, database_url=url)
        try:
            _start_many(engine, 3)
            began = time.perf_counter()
            _start_many(engine, count)
            single = count / (time.perf_counter() - began)
        finally:
            dispose(engine)
        multi = parallel(folder, url, processes, count // processes * 2)
    return [
        row(f"intake_per_s{suffix}", single, "cases/s", count, None, processes=1, backend=backend),
        row(f"intake_per_s_{processes}proc{suffix}", multi, "cases/s", count // processes * 2 * processes,
            f"intake_per_s{suffix}", processes=processes, backend=backend, speedup=round(multi / single, 3),
            note="one writer at a time on SQLite" if backend == "sqlite" else "concurrent writers"),
    ]


def run(quick: bool, count: int | None = None) -> list[dict]:
    """Intake throughput on a SQLite file."""
    return measure(None, quick, count=count)
