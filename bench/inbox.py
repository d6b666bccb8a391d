"""Inbox scaling: Engine.tasks(lanes=[...], tenant=...) p50/p95 at 1k, 10k and 100k cases.

How the large sizes are made: a handful of real complaints are started through the engine, then the
rest of the cases and their task rows are bulk-inserted with SQL (executemany of `cases` and `tasks`
rows in one unit of work, no workflow state: the inbox query reads only the task table). Two entities
(tenants) and the three complaint lanes; 80% of cases open with one ready task, every case with one
completed task; due dates spread over +-60 days, 10% without one. So every (tenant, lane) inbox has
more ready tasks than one page (100) at every size, and the page size is the same at 1k and 100k.
Rows are inserted as plain tuples through the DB-API cursor of the unit of work's connection, with dates
prepared by SQLAlchemy's own bind processors, so they read back exactly like rows the engine wrote.
"""

from __future__ import annotations

import random
import time
import uuid
from datetime import timedelta

from bench.common import INTAKE, START, bench_engine, dispose, goal_row, percentile, row, run_complaint, scratch_dir

GOAL = 2.0
TENANTS = ("default", "entidad-2")
LANES = ("oii", "mesa_de_partes", "complainant")
REAL_CASES = 5
BATCH = 5000


def _pools(dialect, rng: random.Random) -> dict[str, list]:
    """Bound values prepared once (SQLAlchemy's own bind processors), so rows are plain tuples."""
    from engine.adapters import schema

    def bind(column):
        process = column.type.bind_processor(dialect)
        return (lambda value: value) if process is None else process

    due, created = bind(schema.tasks.c.due_at), bind(schema.tasks.c.created_at)
    minutes = 60 * 24 * 60
    return {
        "start": [bind(schema.cases.c.created_at)(START)],
        "due": [None] * 100 + [due(START + timedelta(minutes=rng.randint(-minutes, minutes))) for _ in range(900)],
        "created": [created(START - timedelta(minutes=rng.randint(0, 90 * 24 * 60))) for _ in range(1000)],
    }


CASE_SQL = ("INSERT INTO cases (id, tenant_id, process_id, process_version, status, version, created_at, "
            "updated_at) VALUES (?, ?, 'denuncia', 1, ?, 1, ?, ?)")
TASK_SQL = ("INSERT INTO tasks (id, case_id, tenant_id, process_id, name, title, lane, form_id, state, due_at, "
            "created_at, completed_at, completed_by) VALUES (?, ?, ?, 'denuncia', ?, 'Tarea', ?, ?, ?, ?, ?, ?, ?)")


def _batch(rng: random.Random, pools: dict, size: int) -> tuple[list, list]:
    start = pools["start"][0]
    cases, tasks = [], []
    for _ in range(size):
        tenant, is_open = rng.choice(TENANTS), rng.random() < 0.8
        case_id = uuid.UUID(int=rng.getrandbits(128)).hex
        cases.append((case_id, tenant, "open" if is_open else "closed", start, start))
        states = ("completed", "ready") if is_open else ("completed",)
        for n, state in enumerate(states):
            done = state == "completed"
            tasks.append((str(uuid.UUID(int=rng.getrandbits(128))), case_id, tenant, f"task_{n}", rng.choice(LANES),
                          f"task_{n}", state, rng.choice(pools["due"]), rng.choice(pools["created"]),
                          start if done else None, "bench" if done else None))
    return cases, tasks


def fill(engine, cases: int, seed: int = 10) -> None:
    """Bring the database to `cases` cases with synthetic rows (see the module docstring)."""
    rng = random.Random(seed)
    for _ in range(REAL_CASES):
        run_complaint(engine)
        engine.start_case("denuncia", INTAKE, actor="bench")
    pools = _pools(engine.db.dialect, rng)
    sqlite = engine.db.dialect.name == "sqlite"
    remaining = cases - 2 * REAL_CASES
    while remaining > 0:
        size = min(BATCH, remaining)
        case_rows, task_rows = _batch(rng, pools, size)
        with engine.rt.uow_factory() as uow:
            cursor = uow.conn.connection.driver_connection.cursor()
            marker = (lambda q: q) if sqlite else (lambda q: q.replace("?", "%s"))
            cursor.executemany(marker(CASE_SQL), case_rows)
            cursor.executemany(marker(TASK_SQL), task_rows)
            uow.commit()
        remaining -= size
    with engine.rt.uow_factory() as uow:
        uow.conn.exec_driver_sql("ANALYZE")
        uow.commit()


def latencies(engine, queries: int, lanes_per_query: int = 1, seed: int = 11) -> list[float]:
    """Seconds per inbox query (first page), random tenant and lanes."""
    rng = random.Random(seed)
    for _ in range(10):
        engine.tasks(lanes=list(LANES[:lanes_per_query]), tenant=TENANTS[0])
    found = []
    for _ in range(queries):
        lanes = rng.sample(LANES, lanes_per_query)
        tenant = rng.choice(TENANTS)
        began = time.perf_counter()
        page = engine.tasks(lanes=lanes, tenant=tenant)
        found.append(time.perf_counter() - began)
        if not page:
            raise RuntimeError("bench: empty inbox page")
    return found


def plan(engine) -> str:
    """SQLite's query plan of the inbox query (one lane), for docs/benchmarks.md."""
    if engine.db.dialect.name != "sqlite":
        return ""
    with engine.rt.uow_factory(readonly=True) as uow:
        captured = []
        from sqlalchemy import event

        def before(conn, cursor, statement, params, context, executemany):
            if "FROM tasks" in statement and not captured:
                captured.append((statement, params))

        event.listen(uow.conn, "before_cursor_execute", before)
        uow.tasks.query(lanes=["oii"], tenant_id=TENANTS[0], state="ready", limit=100)
        event.remove(uow.conn, "before_cursor_execute", before)
        statement, params = captured[0]
        # nosemgrep: probidad-sql-built-from-strings - SQL compiled by SQLAlchemy; values stay in params
        steps = uow.conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params).all()
    return "; ".join(str(step[-1]) for step in steps)


def run(quick: bool, sizes: tuple[int, ...] | None = None, queries: int | None = None) -> list[dict]:
    """p50/p95 of the inbox query per size, and the ratio of the largest to the smallest p95."""
    sizes = sizes or ((1_000, 100_000) if quick else (1_000, 10_000, 100_000))
    queries = queries or (100 if quick else 400)
    result, p95 = [], {}
    for size in sizes:
        with scratch_dir() as folder:
            engine, _ = bench_engine(folder)
            try:
                fill(engine, size)
                for lanes in (1, 2):
                    times = latencies(engine, queries, lanes)
                    suffix = "" if lanes == 1 else "_2lanes"
                    p50, p95_ = percentile(times, 50) * 1000, percentile(times, 95) * 1000
                    result.append(row(f"inbox_p50_ms{suffix}_{_label(size)}", p50, "ms", queries, None, cases=size))
                    result.append(row(f"inbox_p95_ms{suffix}_{_label(size)}", p95_, "ms", queries, None, cases=size,
                                      plan=plan(engine) if lanes == 1 else None))
                    p95[(size, lanes)] = p95_
            finally:
                dispose(engine)
    small, large = min(sizes), max(sizes)
    name = f"inbox_p95_ratio_{_label(large)}_vs_{_label(small)}"
    result.append(goal_row(name, p95[(large, 1)] / p95[(small, 1)], "ratio", queries,
                           f"inbox_p95_ms_{_label(small)}", GOAL, lanes=1))
    result.append(row(f"inbox_p95_ratio_2lanes_{_label(large)}_vs_{_label(small)}",
                      p95[(large, 2)] / p95[(small, 2)], "ratio", queries, f"inbox_p95_ms_2lanes_{_label(small)}"))
    return result


def _label(size: int) -> str:
    return f"{size // 1000}k" if size >= 1000 else str(size)
