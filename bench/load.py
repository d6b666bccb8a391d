"""Bounded load test (issue 9): officers read the inbox and complete tasks while timer workers sweep.

    .venv/bin/python -m bench.load --pg                 # a throwaway PostgreSQL server, 4 timer workers
    .venv/bin/python -m bench.load --database-url postgresql+psycopg://... --due 5000 --seconds 60 --json

What it does, on 127.0.0.1 only, and it always stops by itself (after --seconds or --requests):
1. a temporary instance: `probidad init` (file keyrings, migrations, bundled processes) against the URL;
2. --officers review cases started through the engine API (tasks ready, deadlines in the future) and
   --due cases whose timer is already due: one started through the API, the rest bulk-cloned row by row
   (each clone's state re-sealed under its own data key and AAD, as if started alone);
3. --workers `probidad timers` processes (PROBIDAD_TIMER_INTERVAL=1) sweep the due timers while
   officer threads loop: read the inbox (first page, oii lane) and complete the first task.

The officers drive the engine's Python API from threads, not HTTP: the web inbox needs a login flow
this script does not script yet. The numbers therefore measure the engine and the database, not
Flask or gunicorn. Reports inbox p50/p95 during the sweep, completed tasks per second, errors (must be
0) and the sweep time. On SQLite only one timer worker may run (docs/operations.md).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from engine.domain.forms import Form
from workflows.base import WorkflowDefinition

PAST = datetime(2025, 3, 3, 15, 0, tzinfo=UTC)
_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/'
         '20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:spiffworkflow='
         '"http://spiffworkflow.org/bpmn/schema/1.0/core" id="{pid}_defs" targetNamespace="http://probidad.example/bpmn">')
_TIMER = ('<bpmn:timerEventDefinition><bpmn:timeDate xsi:type="bpmn:tFormalExpression">sla_due("denuncia.acuse")'
          '</bpmn:timeDate></bpmn:timerEventDefinition>')
SWEEP_BPMN = _HEAD.format(pid="load_sweep") + f"""
<bpmn:process id="load_sweep" name="Load: waiting deadline" isExecutable="true">
  <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
  <bpmn:intermediateCatchEvent id="wait" name="Deadline"><bpmn:incoming>f1</bpmn:incoming>
    <bpmn:outgoing>f2</bpmn:outgoing>{_TIMER}</bpmn:intermediateCatchEvent>
  <bpmn:endEvent id="end_expired"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />
  <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="end_expired" />
</bpmn:process></bpmn:definitions>
"""
REVIEW_BPMN = _HEAD.format(pid="load_review") + f"""
<bpmn:process id="load_review" name="Load: review" isExecutable="true">
  <bpmn:laneSet id="lanes"><bpmn:lane id="lane_oii" name="oii">
    <bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>review</bpmn:flowNodeRef>
    <bpmn:flowNodeRef>review_timeout</bpmn:flowNodeRef><bpmn:flowNodeRef>end_done</bpmn:flowNodeRef>
    <bpmn:flowNodeRef>end_escalated</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
  <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
  <bpmn:userTask id="review" name="Review"><bpmn:extensionElements><spiffworkflow:properties>
    <spiffworkflow:property name="formId" value="review" /></spiffworkflow:properties></bpmn:extensionElements>
    <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
  <bpmn:boundaryEvent id="review_timeout" attachedToRef="review" cancelActivity="true">
    <bpmn:outgoing>f3</bpmn:outgoing>{_TIMER}</bpmn:boundaryEvent>
  <bpmn:endEvent id="end_done"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
  <bpmn:endEvent id="end_escalated"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />
  <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="end_done" />
  <bpmn:sequenceFlow id="f3" sourceRef="review_timeout" targetRef="end_escalated" />
</bpmn:process></bpmn:definitions>
"""


def load_definitions(folder: Path) -> list[WorkflowDefinition]:
    """The two load-test processes, their BPMN written into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    result = []
    for pid, xml, forms in (("load_sweep", SWEEP_BPMN, {}),
                            ("load_review", REVIEW_BPMN, {"review": Form("review", "Revisar", "Review")})):
        path = folder / f"{pid}.bpmn"
        path.write_text(xml, encoding="utf-8")
        result.append(WorkflowDefinition(pid, pid, pid, (path,), forms=forms, policies=("denuncia.acuse",)))
    return result


def prepare_instance(database_url: str, folder: Path) -> dict:
    """`probidad init` into a temporary instance; return the environment for probidad processes."""
    env = {**os.environ, "PROBIDAD_INSTANCE": str(folder / "instance"), "PROBIDAD_DATABASE_URL": database_url,
           "PROBIDAD_TIMER_INTERVAL": "1", "PROBIDAD_ENV": "development"}
    env.pop("PROBIDAD_TEST_DATABASE_URL", None)
    done = subprocess.run([_probidad(), "init"], env=env, capture_output=True, text=True, timeout=300,
                          check=False)
    if done.returncode != 0:
        raise RuntimeError(f"probidad init failed: {done.stderr.strip()[-2000:]}")
    return env


def _probidad() -> str:
    candidate = Path(sys.executable).with_name("probidad")
    return str(candidate) if candidate.exists() else "probidad"


def open_engine(env: dict, folder: Path, clock=None):
    """An in-process engine on the instance (file keyrings), knowing the load processes, deployed."""
    from engine import bootstrap
    from engine.config import Settings
    from workflows.registry import bundled_definitions

    settings = Settings(instance=Path(env["PROBIDAD_INSTANCE"]), database_url=env["PROBIDAD_DATABASE_URL"])
    mine = load_definitions(folder / "bpmn")
    engine = bootstrap.build(settings, clock=clock, definitions=bundled_definitions() + mine)
    engine.deploy_files([d.bpmn_files[0] for d in mine], actor="bench")
    return engine


def seed_due(engine, count: int, batch: int = 1000) -> list[str]:
    """`count` load_sweep cases with a due timer: one through the API, the rest cloned with valid seals.

    The engine's clock must stand in the past (PAST), so the deadlines are due for real workers.
    """
    from sqlalchemy import insert, select

    from engine.adapters import schema as t

    first = engine.start_case("load_sweep", {}, actor="bench")
    sealer = engine.rt.sealer
    with engine.db.connect() as conn:
        case = dict(conn.execute(select(t.cases).where(t.cases.c.id == first)).one()._mapping)
        state = dict(conn.execute(select(t.case_states).where(t.case_states.c.case_id == first)).one()._mapping)
        timer = dict(conn.execute(select(t.timers).where(t.timers.c.case_id == first)).one()._mapping)
    from engine.domain.model import SealedBlob

    plain = sealer.open(case["tenant_id"], first, SealedBlob(state["ciphertext"], state["wrapped_key"],
                                                            state["kek_version"]))
    timer.pop("id")
    ids = [first]
    for start in range(1, count, batch):
        rows = {"cases": [], "states": [], "timers": []}
        for _ in range(start, min(start + batch, count)):
            cid = uuid.uuid4().hex
            blob = sealer.seal(case["tenant_id"], cid, plain, None)
            rows["cases"].append({**case, "id": cid})
            rows["states"].append({**state, "case_id": cid, "ciphertext": blob.ciphertext,
                                   "wrapped_key": blob.wrapped_key, "kek_version": blob.kek_version})
            rows["timers"].append({**timer, "case_id": cid})
            ids.append(cid)
        with engine.db.begin() as conn:
            conn.execute(insert(t.cases), rows["cases"])
            conn.execute(insert(t.case_states), rows["states"])
            conn.execute(insert(t.timers), rows["timers"])
    return ids


def spawn_timer_workers(env: dict, count: int, log_dir: Path) -> list[subprocess.Popen]:
    """Start `count` `probidad timers` processes; their logs go to log_dir/timers-N.log."""
    log_dir.mkdir(parents=True, exist_ok=True)
    procs = []
    for n in range(count):
        with open(log_dir / f"timers-{n}.log", "wb") as log:
            procs.append(subprocess.Popen([_probidad(), "timers"], env=env, stdout=log, stderr=subprocess.STDOUT))
    return procs


def stop_workers(procs: list[subprocess.Popen], grace: float = 20) -> None:
    """Terminate the worker processes this script started (SIGKILL after `grace` seconds), then reap them."""
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def waiting_count(engine, process_id: str = "load_sweep") -> int:
    """Waiting timers of a process's cases."""
    from sqlalchemy import func, select

    from engine.adapters import schema as t

    query = (select(func.count()).select_from(t.timers.join(t.cases, t.cases.c.id == t.timers.c.case_id))
             .where(t.timers.c.state == "waiting", t.cases.c.process_id == process_id))
    with engine.db.connect() as conn:
        return int(conn.execute(query).scalar_one())


@dataclass
class Stats:
    """What the officers measured."""

    inbox_ms: list[float] = field(default_factory=list)
    inbox_during_sweep_ms: list[float] = field(default_factory=list)
    completed: int = 0
    last_completion: float = 0.0
    errors: int = 0
    error_kinds: dict = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _officer(engine, stats: Stats, sweeping: threading.Event, stop: threading.Event, budget: list[int]) -> None:
    while not stop.is_set():
        with stats.lock:
            if budget[0] <= 0:
                return
            budget[0] -= 2
        began = time.perf_counter()
        try:
            inbox = engine.tasks(lanes=["oii"], process_id="load_review", limit=50)
            elapsed = (time.perf_counter() - began) * 1000
            task = inbox[threading.get_ident() % len(inbox)] if inbox else None
            if task is not None:
                engine.complete_task(task.id, {}, actor="officer")
            with stats.lock:
                stats.inbox_ms.append(elapsed)
                if sweeping.is_set():
                    stats.inbox_during_sweep_ms.append(elapsed)
                if task is not None:
                    stats.completed += 1
                    stats.last_completion = time.perf_counter()
        except Exception as exc:  # noqa: BLE001 - every failure is counted and reported by type
            with stats.lock:
                if type(exc).__name__ == "StaleCase":
                    continue  # two officers picked the same task: the loser reloads, as the UI does
                stats.errors += 1
                stats.error_kinds[type(exc).__name__] = stats.error_kinds.get(type(exc).__name__, 0) + 1


def _p95(values: list[float]) -> float | None:
    if len(values) < 2:
        return values[0] if values else None
    return statistics.quantiles(values, n=20)[-1]


def run(args) -> dict:
    """Prepare, run the load and the sweep together, and return the report."""
    from engine.testing import FrozenClock

    folder = Path(tempfile.mkdtemp(prefix="probidad-load-"))
    env = prepare_instance(args.database_url, folder)
    engine = open_engine(env, folder, clock=FrozenClock(PAST))
    seeded = time.perf_counter()
    seed_due(engine, args.due)
    seed_s = time.perf_counter() - seeded
    live = open_engine(env, folder)  # the officers' engine: real clock, review deadlines in the future
    for _ in range(args.cases):
        live.start_case("load_review", {}, actor="bench")
    stats, stop, sweeping = Stats(), threading.Event(), threading.Event()
    budget = [args.requests]
    officers = [threading.Thread(target=_officer, args=(live, stats, sweeping, stop, budget), daemon=True)
                for _ in range(args.officers)]
    began = time.perf_counter()
    sweeping.set()
    workers = spawn_timer_workers(env, args.workers, folder / "logs")
    try:
        for thread in officers:
            thread.start()
        sweep_s = _wait_sweep(engine, began, args.seconds)
        sweeping.clear()
        stop.wait(max(0.0, min(args.seconds, 10) - (time.perf_counter() - began)))
    finally:
        stop.set()
        for thread in officers:
            thread.join(timeout=30)
        stop_workers(workers)
    elapsed = time.perf_counter() - began
    return {"backend": engine.db.dialect.name, "timer_workers": args.workers, "officers": args.officers,
            "due_timers": args.due, "seed_seconds": round(seed_s, 2), "sweep_seconds": sweep_s,
            "left_waiting": waiting_count(engine), "inbox_reads": len(stats.inbox_ms),
            "inbox_p50_ms": _round(statistics.median(stats.inbox_ms) if stats.inbox_ms else None),
            "inbox_p95_ms": _round(_p95(stats.inbox_ms)),
            "inbox_p95_during_sweep_ms": _round(_p95(stats.inbox_during_sweep_ms)),
            "completed_tasks": stats.completed,
            "tasks_per_s": round(stats.completed / max(stats.last_completion - began, 1e-9), 1),
            "errors": stats.errors, "error_kinds": stats.error_kinds, "seconds": round(elapsed, 1)}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _wait_sweep(engine, began: float, seconds: float) -> float | None:
    """Seconds until no load_sweep timer waits (None if the time budget ran out first)."""
    while time.perf_counter() - began < seconds:
        if waiting_count(engine) == 0:
            return round(time.perf_counter() - began, 1)
        time.sleep(0.25)
    return None


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run, print the report (one JSON object with --json)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="postgresql+psycopg://... on 127.0.0.1 (its content is replaced)")
    parser.add_argument("--pg", action="store_true", help="start a throwaway PostgreSQL server (tests/pg.py)")
    parser.add_argument("--due", type=int, default=5000, help="due timers to sweep")
    parser.add_argument("--cases", type=int, default=400, help="review tasks for the officers")
    parser.add_argument("--officers", type=int, default=4)
    parser.add_argument("--workers", type=int, default=4, help="timer worker processes (1 on SQLite)")
    parser.add_argument("--seconds", type=float, default=120, help="hard stop")
    parser.add_argument("--requests", type=int, default=20000, help="hard stop: inbox reads + completions")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    server = None
    if args.pg or not args.database_url:
        from tests.pg import start_server

        server = start_server()
        args.database_url = server.create_database("probidad_load")
    _refuse_remote(args.database_url)
    try:
        report = run(args)
    finally:
        if server is not None:
            server.stop()
    print(json.dumps(report) if args.json else "\n".join(f"{k}: {v}" for k, v in report.items()))
    return 1 if report["errors"] or report["left_waiting"] else 0


def _refuse_remote(url: str) -> None:
    from sqlalchemy.engine import make_url

    host = make_url(url).host
    if host not in (None, "", "127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"refusing to load-test a remote database host: {host}")


if __name__ == "__main__":
    sys.exit(main())
