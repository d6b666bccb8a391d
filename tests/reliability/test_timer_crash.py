"""Crash safety of the timer worker (SECURITY.md 14; issue 5 acceptance).

1,000 cases wait on a due timer. `probidad timers` runs as a real process and is killed with
SIGKILL in the middle of its sweep, then restarted. Every timer must fire exactly once (timer
table and audit log agree) and the audit chain must verify.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from engine import bootstrap
from engine.config import Settings
from engine.testing import FrozenClock
from tests.fixtures.notify_support import TINY_BPMN, TINY_DEFINITION
from workflows.registry import bundled_definitions

CASES = 1000
# Wednesday 3 January 2024, 10:00 Lima: the timers (denuncia.registro, same day) are long due.
PAST = datetime(2024, 1, 3, 15, 0, tzinfo=UTC)
PROBIDAD = str(Path(sys.executable).parent / "probidad")


def _env(instance: Path) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("PROBIDAD_") or k in ("PROBIDAD_ENV",)}
    env.update(PROBIDAD_INSTANCE=str(instance), PROBIDAD_TIMER_INTERVAL="1", PROBIDAD_ENV="development")
    return env


def _fired(db: Path) -> int:
    with sqlite3.connect(db, timeout=30) as conn:
        return conn.execute("SELECT count(*) FROM timers WHERE state = 'fired'").fetchone()[0]


def _worker(env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen([PROBIDAD, "timers"], env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)


def _wait_for(predicate, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)  # polling a real process, not timing logic


def _seed(instance: Path, env: dict) -> Path:
    subprocess.run([PROBIDAD, "init"], env=env, check=True, capture_output=True)
    settings = Settings.from_env(env)
    engine = bootstrap.build(settings, clock=FrozenClock(PAST), definitions=[*bundled_definitions(), TINY_DEFINITION])
    engine.deploy_files([TINY_BPMN], actor="test")
    for _ in range(CASES):
        engine.start_case("timer_tiny")
    engine.db.dispose()
    return instance / "probidad.db"


@pytest.mark.slow
@pytest.mark.xdist_group("process-heavy")  # many processes: one at a time on one xdist worker (Makefile)
def test_kill_9_mid_sweep_then_restart_fires_every_timer_exactly_once(tmp_path):
    instance = tmp_path / "instance"
    env = _env(instance)
    db = _seed(instance, env)
    assert _fired(db) == 0
    log = tmp_path / "worker.log"

    first = _worker(env, log)
    try:
        _wait_for(lambda: _fired(db) >= 20, 120, "the first sweep to start firing")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
    at_kill = _fired(db)
    assert 0 < at_kill < CASES, f"the kill must land mid-sweep (fired {at_kill})"

    second = _worker(env, log)
    try:
        _wait_for(lambda: _fired(db) == CASES, 300, "the restarted worker to catch up")
        time.sleep(1.5)  # one more interval: nothing may fire twice afterwards
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=60)

    with sqlite3.connect(db) as conn:
        states = dict(conn.execute("SELECT state, count(*) FROM timers GROUP BY state").fetchall())
        timer_ids = {r[0] for r in conn.execute("SELECT id FROM timers")}
        fires = Counter(json.loads(d)["timer_id"] for (d,) in
                        conn.execute("SELECT details FROM audit_log WHERE action = 'timer.fire'"))
        closed = conn.execute("SELECT count(*) FROM cases WHERE status = 'closed'").fetchone()[0]
        notices = conn.execute("SELECT count(*), count(DISTINCT dedupe_key) FROM notifications").fetchone()
    assert states == {"fired": CASES}
    assert set(fires) == timer_ids and set(fires.values()) == {1}
    assert closed == CASES
    assert notices[0] == notices[1]
    verify = subprocess.run([PROBIDAD, "audit", "verify"], check=False, env=env, capture_output=True, text=True)
    assert verify.returncode == 0, verify.stderr
    assert "audit chain ok" in verify.stdout
