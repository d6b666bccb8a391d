"""Scale-out on PostgreSQL (issue 9): several `probidad timers` processes, optimistic locking across
processes, and the audit chain under concurrent writers.

The timer workers are real processes (`probidad timers`, PROBIDAD_TIMER_INTERVAL=1) on an instance made
by `probidad init` (file keyrings, migrations). Due cases are bulk-cloned by bench.load.seed_due: each
clone's state is re-sealed under its own data key and AAD, exactly as if it had been started alone.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter

import pytest
from sqlalchemy import func, select, text

from bench import load
from engine.adapters import schema as t
from engine.testing import FrozenClock

pytestmark = pytest.mark.postgres


def _instance(url, folder):
    env = load.prepare_instance(url, folder)
    return env, load.open_engine(env, folder, clock=FrozenClock(load.PAST))


@pytest.fixture(scope="module")
def instance(pg_server, tmp_path_factory):
    """A `probidad init` instance on a PostgreSQL database shared by this module's quick tests
    (each test looks only at its own cases); (env, engine whose clock stands in the past)."""
    name = "concurrency_shared"
    env, engine = _instance(pg_server.create_database(name), tmp_path_factory.mktemp("instance"))
    yield env, engine
    engine.db.dispose()
    pg_server.drop_database(name)


@pytest.fixture
def own_instance(pg_database, tmp_path):
    """An instance on a database of its own."""
    env, engine = _instance(pg_database(), tmp_path)
    yield env, engine
    engine.db.dispose()


def _sweep_rows(engine):
    query = (select(t.timers.c.id, t.timers.c.state, t.timers.c.fired_at)
             .join(t.cases, t.cases.c.id == t.timers.c.case_id).where(t.cases.c.process_id == "load_sweep"))
    with engine.db.connect() as conn:
        return conn.execute(query).all()


def _fires_per_timer(engine) -> Counter:
    with engine.db.connect() as conn:
        details = conn.execute(select(t.audit_log.c.details).where(t.audit_log.c.action == "timer.fire")).scalars()
        return Counter(json.loads(d)["timer_id"] for d in details)


def _wait_until(predicate, seconds: float, procs=()) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        dead = [p.returncode for p in procs if p.poll() is not None]
        assert not dead, f"a timer worker exited early: {dead}"
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def _assert_each_fired_once(engine, count: int) -> None:
    rows = _sweep_rows(engine)
    assert len(rows) == count
    assert Counter(r.state for r in rows) == {"fired": count}
    assert all(r.fired_at is not None for r in rows)
    fires = _fires_per_timer(engine)
    assert set(fires) == {r.id for r in rows}, "every timer has its timer.fire audit entry"
    assert set(fires.values()) == {1}, "no timer fired twice"
    report = engine.audit_verify()
    assert report.ok, report
    with engine.db.connect() as conn:
        closed = conn.execute(select(func.count()).select_from(t.cases).where(
            t.cases.c.process_id == "load_sweep", t.cases.c.status == "closed",
            t.cases.c.outcome == "end_expired")).scalar_one()
    assert closed == count


def _sweep_with_workers(env, engine, tmp_path, due: int, workers: int, kill_at: float | None):
    load.seed_due(engine, due)
    assert len(_sweep_rows(engine)) == due
    procs = load.spawn_timer_workers(env, workers, tmp_path / "logs")
    try:
        if kill_at is not None:
            _wait_until(lambda: load.waiting_count(engine) <= due * (1 - kill_at), 600, procs)
            assert load.waiting_count(engine) > 0, "the sweep ended before the kill: raise `due`"
            os.kill(procs[0].pid, signal.SIGKILL)  # in the middle of a sweep
            procs[0].wait(timeout=30)
            assert procs[0].returncode == -signal.SIGKILL
        _wait_until(lambda: load.waiting_count(engine) == 0, 1500, procs[1:] if kill_at is not None else procs)
    finally:
        load.stop_workers(procs)
    return procs


def test_two_timer_workers_share_a_sweep_without_double_firing(own_instance, tmp_path):
    env, engine = own_instance
    _sweep_with_workers(env, engine, tmp_path, due=150, workers=2, kill_at=None)
    _assert_each_fired_once(engine, 150)
    from engine.ops import metrics

    now = metrics(engine)
    assert now["timers_due"] == 0  # every bundled-process timer of init is in the future
    assert len(now["timer_workers"]) == 2
    assert sum(w["total_fired"] for w in now["timer_workers"]) == 150, "both workers' heartbeats"


@pytest.mark.slow
@pytest.mark.timeout(1800)
@pytest.mark.xdist_group("process-heavy")  # many processes: one at a time on one xdist worker (Makefile)
def test_four_workers_sweep_10000_timers_exactly_once_and_survive_a_kill_9(own_instance, tmp_path):
    env, engine = own_instance
    procs = _sweep_with_workers(env, engine, tmp_path, due=10_000, workers=4, kill_at=0.3)
    assert procs[0].returncode == -signal.SIGKILL
    _assert_each_fired_once(engine, 10_000)


# -- optimistic locking across processes --------------------------------------------------------

_COMPLETER = """
import sys, time
from pathlib import Path
from engine import bootstrap
from engine.config import Settings
from engine.errors import StaleCase
engine = bootstrap.build(Settings.from_env())
task_id, version, barrier = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
while not barrier.exists():
    time.sleep(0.01)
try:
    engine.complete_task(task_id, {}, actor="officer", expected_version=version)
    print("won")
except StaleCase:
    print("stale")
"""


def _lock_waiters(engine) -> int:
    with engine.db.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                 "AND datname = current_database()")).scalar_one()


def test_two_processes_completing_the_same_task_exactly_one_wins(instance, tmp_path):
    env, engine = instance
    case_id = engine.start_case("load_review", {}, actor="test")
    task = engine.tasks(case_id=case_id)[0]
    version = engine.case(case_id).version
    barrier = tmp_path / "go"
    procs = [subprocess.Popen([sys.executable, "-c", _COMPLETER, task.id, str(version), str(barrier)],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    # Hold the case row so that both processes read version N and then queue on the same UPDATE:
    # the race is certain, not left to scheduling.
    with engine.db.connect() as conn:
        conn.execute(text("SELECT id FROM cases WHERE id = :id FOR UPDATE"), {"id": case_id})
        barrier.touch()
        deadline = time.monotonic() + 120
        while _lock_waiters(engine) < 2:
            assert time.monotonic() < deadline, [p.poll() for p in procs]
            time.sleep(0.05)
        conn.rollback()
    outputs = sorted(p.communicate(timeout=120)[0].strip() for p in procs)
    assert outputs == ["stale", "won"], outputs
    view = engine.case(case_id)
    assert (view.status, view.outcome, view.version) == ("closed", "end_done", version + 1)
    completions = [e for e in engine.audit_for_case(case_id) if e.action.startswith("task.")]
    assert len(completions) == 1
    assert engine.audit_verify().ok


def test_concurrent_writers_keep_one_audit_chain(instance):
    """Threads appending at once (the web and timer workers do) never collide on seq nor fork the chain."""
    _, engine = instance
    errors = []
    before = _count_action(engine, "case.start")

    def writer():
        try:
            for _ in range(15):
                engine.start_case("load_review", {}, actor="test")
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(type(exc).__name__)

    threads = [threading.Thread(target=writer) for _ in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    report = engine.audit_verify()
    assert report.ok, report
    assert _count_action(engine, "case.start") - before == 90


def _count_action(engine, action: str) -> int:
    with engine.db.connect() as conn:
        return conn.execute(select(func.count()).select_from(t.audit_log)
                            .where(t.audit_log.c.action == action)).scalar_one()


def test_probidad_web_runs_gunicorn_with_n_workers(instance, tmp_path):
    import socket
    import urllib.request

    env, _ = instance
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = tmp_path / "web.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([str(load._probidad()), "web", "--port", str(port), "--workers", "2"], env=env,
                                stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
                    assert response.status == 200
                    break
            except OSError:
                assert proc.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.3)
        _wait_until(lambda: log.read_text().count("Booting worker") == 2, 60)
        assert "gunicorn" in log.read_text()
    finally:
        proc.terminate()
        proc.wait(timeout=60)
