"""Races between real processes on one database (SECURITY.md property 15; issue 11 item 9).

N Python processes open the same SQLite file (and, when a PostgreSQL server is available, the same
PostgreSQL database) with the same file keyrings, wait at a barrier, then all complete the same
task, or all sweep the same due timers, or complete tasks while others sweep. Exactly one
transition wins each race; every loser gets StaleCase (the clear "case changed, reload" error);
the audit log shows one transition per task or timer and still verifies.

Each child pays a Python start-up and an engine build, so only the SQLite task race is in the quick
suite; the timer races and the PostgreSQL runs are marked slow.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.integration.test_content_support import build

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = 4

CHILD = r"""
import json, sys, time
from datetime import datetime
from pathlib import Path
from engine.errors import StaleCase, ProbidadError
from tests.integration.test_content_support import build

folder, barrier, job = Path(sys.argv[1]), Path(sys.argv[2]), json.loads(sys.argv[3])
engine = build(folder, deploy=False)
engine.tasks(limit=1)  # warm up the connection before the race
print("ready", flush=True)
while not barrier.exists():
    time.sleep(0.005)  # a cross-process barrier, not timing logic
out = []
for step in job:
    try:
        if step[0] == "complete":
            engine.complete_task(step[1], {"admissible": "no"}, actor=step[2])
            out.append("ok")
        else:
            result = engine.sweep(datetime.fromisoformat(step[1]))
            out.append(f"fired:{result.fired}")
    except StaleCase:
        out.append("stale")
    except ProbidadError as exc:
        out.append("error:" + type(exc).__name__)
print(json.dumps(out), flush=True)
"""


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=[pytest.mark.postgres, pytest.mark.slow])])
def backend(request, tmp_path, monkeypatch):
    """The database URL every process shares (env PROBIDAD_TEST_DATABASE_URL, read by build())."""
    if request.param == "postgres":
        url = request.getfixturevalue("pg_database")()
    else:
        (tmp_path / "instance").mkdir()
        url = f"sqlite:///{tmp_path / 'instance' / 'probidad.db'}"
    monkeypatch.setenv("PROBIDAD_TEST_DATABASE_URL", url)
    return url


def _race(folder: Path, jobs: list[list]) -> list[list[str]]:
    """Run one child per job; release them together; return each child's outcomes."""
    barrier = folder / f"go-{time.monotonic_ns()}"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    children = [subprocess.Popen([sys.executable, "-c", CHILD, str(folder), str(barrier), json.dumps(job)],
                                 cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for job in jobs]
    try:
        for child in children:
            assert child.stdout.readline().strip() == "ready", child.stderr.read()[-2000:]
        barrier.touch()
        outcomes = []
        for child in children:
            out, err = child.communicate(timeout=120)
            assert child.returncode == 0, err[-2000:]
            outcomes.append(json.loads(out.strip().splitlines()[-1]))
        return outcomes
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()


def _audit(engine, action: str) -> list:
    with engine.rt.uow_factory(readonly=True) as uow:
        return [e for e in uow.audit.all() if e.action == action]


def test_n_processes_complete_the_same_task_exactly_one_wins(tmp_path, backend):
    engine = build(tmp_path)
    case_ids = [engine.start_case("fixture", {"channel": "web"}) for _ in range(3)]
    tasks = [engine.tasks(case_id=c)[0].id for c in case_ids]
    # Every process tries every task, in a different order, so each race has N contenders.
    jobs = [[["complete", tasks[(i + k) % 3], f"officer{i}"] for k in range(3)] for i in range(PROCESSES)]
    outcomes = _race(tmp_path, jobs)
    flat = Counter(o for child in outcomes for o in child)
    assert flat == {"ok": 3, "stale": 3 * (PROCESSES - 1)}, outcomes
    completes = Counter(e.case_id for e in _audit(engine, "task.complete"))
    assert completes == dict.fromkeys(case_ids, 1)
    for case_id in case_ids:
        assert engine.case(case_id).outcome == "end_rejected"
    assert engine.audit_verify().ok


@pytest.mark.slow
def test_n_processes_sweep_the_same_timers_each_fires_once(tmp_path, backend):
    engine = build(tmp_path)
    case_ids = [engine.start_case("fixture", {"channel": "web"}) for _ in range(8)]
    due = datetime(2025, 6, 2, 15, 0, tzinfo=UTC).isoformat()  # every review deadline has passed
    outcomes = _race(tmp_path, [[["sweep", due]] for _ in range(PROCESSES)])
    fired = sum(int(o.split(":")[1]) for child in outcomes for o in child if o.startswith("fired:"))
    errors = [o for child in outcomes for o in child if o.startswith("error")]
    assert not errors, outcomes
    fires = Counter(e.details["timer_id"] for e in _audit(engine, "timer.fire"))
    assert fired == sum(fires.values()) == len(case_ids), outcomes
    assert set(fires.values()) == {1}
    for case_id in case_ids:
        assert [d.state for d in engine.case(case_id).deadlines].count("fired") == 1
    assert engine.audit_verify().ok


@pytest.mark.slow
def test_officers_racing_the_timer_workers_one_transition_per_case(tmp_path, backend):
    engine = build(tmp_path)
    case_ids = [engine.start_case("fixture", {"channel": "web"}) for _ in range(4)]
    tasks = [engine.tasks(case_id=c)[0].id for c in case_ids]
    due = datetime(2025, 6, 2, 15, 0, tzinfo=UTC).isoformat()
    jobs = [[["complete", t, f"officer{i}"] for t in tasks] for i in range(2)] + [[["sweep", due]]
                                                                                   for _ in range(2)]
    outcomes = _race(tmp_path, jobs)
    assert all(o in ("ok", "stale") or o.startswith("fired:") for child in outcomes for o in child), outcomes
    completes = Counter(e.case_id for e in _audit(engine, "task.complete"))
    fires = Counter(e.case_id for e in _audit(engine, "timer.fire"))
    for case_id in case_ids:
        # Either an officer completed the review (the timer was cancelled) or the timer fired first.
        assert completes[case_id] + fires[case_id] == 1, (completes, fires)
        if fires[case_id]:
            assert [t.name for t in engine.tasks(case_id=case_id)] == ["escalate"]
    assert engine.audit_verify().ok
