"""Crash safety under kill -9 in a loop (SECURITY.md property 14; issue 11 item 8).

An instance made by `probidad init` (SQLite, file keyrings). For ROUNDS rounds, a real process is
started and killed with SIGKILL at a random moment while it writes:

* most rounds: `probidad timers` (interval 1 s) sweeping due timers, while this test starts more
  cases with due timers in the same database (writes and sweeps interleave);
* every third round: `probidad web` on a free 127.0.0.1 port, hammered with public intake
  submissions (multipart form posts with an attachment) from a client thread.

Afterwards one clean `probidad timers tick` runs, and then: every case opens and decrypts through
the Engine; no ready task belongs to a case that is not open; no waiting timer belongs to a closed
case; every timer fired at most once (the timer table and the `timer.fire` audit entries agree,
one entry per fired timer); every receipt a complainant was shown opens a case that decrypts; and
`probidad audit verify` passes.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import json
import os
import random
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from engine import bootstrap
from engine.config import Settings
from engine.testing import FrozenClock
from tests.fixtures.notify_support import TINY_BPMN, TINY_DEFINITION
from workflows.registry import bundled_definitions

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("process-heavy")]  # one at a time (Makefile)

ROUNDS = 21
CASES_PER_ROUND = 25
PAST = datetime(2024, 1, 3, 15, 0, tzinfo=UTC)
PROBIDAD = str(Path(sys.executable).parent / "probidad")


def _env(instance: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROBIDAD_")}
    env.update(PROBIDAD_INSTANCE=str(instance), PROBIDAD_TIMER_INTERVAL="1", PROBIDAD_ENV="development")
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _engine(env: dict, clock=None):
    return bootstrap.build(Settings.from_env(env), clock=clock or FrozenClock(PAST),
                           definitions=[*bundled_definitions(), TINY_DEFINITION])


def _wait(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)  # polling a real process, not timing logic
    return False


class Intake:
    """A complainant's browser: GET the form for the CSRF token, POST a complaint, keep the receipt."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.receipts: list[str] = []
        self.stop = threading.Event()

    def _submit(self) -> None:
        page = self.opener.open(f"{self.base}/denuncia", timeout=10).read().decode()
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        boundary = uuid.uuid4().hex
        fields = {"csrf_token": token, "entity": "default", "fact_date": "2025-01-02", "reason_categories": "bribery",
                  "narrative": "Hechos de la denuncia de prueba", "identify": "no"}
        body = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                        for k, v in fields.items())
        body += (f'--{boundary}\r\nContent-Disposition: form-data; name="attachments"; filename="e.txt"\r\n'
                 "Content-Type: text/plain\r\n\r\n").encode() + b"evidencia " * 200
        body += f"\r\n--{boundary}--\r\n".encode()
        request = urllib.request.Request(f"{self.base}/denuncia", data=body, method="POST", headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}", "Origin": self.base})
        answer = self.opener.open(request, timeout=10).read().decode()
        found = re.search(r'id="receipt">([A-Z0-9-]+)<', answer)
        if found:
            self.receipts.append(found.group(1))

    def run(self) -> None:
        """Submit until stopped or the server dies."""
        while not self.stop.is_set():
            try:
                self._submit()
            except (OSError, urllib.error.URLError, http.client.HTTPException, AttributeError):  # killed mid-answer
                if self.stop.is_set():
                    return
                time.sleep(0.05)


def _timer_round(env: dict, log, rng: random.Random, seeder) -> None:
    worker = subprocess.Popen([PROBIDAD, "timers"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        # Write while the worker sweeps: start more due cases, then kill at a random moment.
        for _ in range(CASES_PER_ROUND):
            seeder.start_case("timer_tiny")
        time.sleep(rng.uniform(0.3, 2.5))  # the random kill point
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)


def _web_round(env: dict, log, rng: random.Random, receipts: list[str]) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([PROBIDAD, "web", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT)
    client = Intake(base)
    thread = threading.Thread(target=client.run, daemon=True)
    try:
        assert _wait(lambda: _healthy(base), 30), "the web process did not start"
        thread.start()
        _wait(lambda: len(client.receipts) >= 1, 20)
        time.sleep(rng.uniform(0.1, 1.5))  # the random kill point, mid-submission
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=30)
        client.stop.set()
        thread.join(15)
    receipts.extend(client.receipts)


def _healthy(base: str) -> bool:
    try:
        return urllib.request.urlopen(f"{base}/healthz", timeout=1).status == 200
    except (OSError, urllib.error.URLError):
        return False


def _check_consistency(db: Path) -> None:
    with sqlite3.connect(db) as conn:
        orphans = conn.execute("SELECT count(*) FROM tasks t JOIN cases c ON c.id = t.case_id "
                               "WHERE t.state = 'ready' AND c.status != 'open'").fetchone()[0]
        closed_waiting = conn.execute("SELECT count(*) FROM timers t JOIN cases c ON c.id = t.case_id "
                                      "WHERE t.state = 'waiting' AND c.status != 'open'").fetchone()[0]
        fired = {r[0] for r in conn.execute("SELECT id FROM timers WHERE state = 'fired'")}
        fires = Counter(json.loads(d)["timer_id"] for (d,) in
                        conn.execute("SELECT details FROM audit_log WHERE action = 'timer.fire'"))
        tiny_open = conn.execute("SELECT count(*) FROM cases WHERE process_id = 'timer_tiny' "
                                 "AND status = 'open'").fetchone()[0]
    assert orphans == 0, "a ready task belongs to a case that is not open"
    assert closed_waiting == 0, "a waiting timer belongs to a closed case"
    assert set(fires) == fired, "timer table and audit log disagree"
    assert set(fires.values()) <= {1}, "a timer fired twice"
    assert tiny_open == 0, "a due timer was lost"


def test_kill_9_loop_on_timer_and_web_processes(tmp_path):
    rng = random.Random(int(os.environ.get("PROBIDAD_CRASH_SEED", "11")))
    instance = tmp_path / "instance"
    env = _env(instance)
    subprocess.run([PROBIDAD, "init"], env=env, check=True, capture_output=True)
    seeder = _engine(env)
    seeder.deploy_files([TINY_BPMN], actor="test")
    receipts: list[str] = []
    kills = Counter()
    with (tmp_path / "processes.log").open("ab") as log:
        for round_no in range(ROUNDS):
            if round_no % 3 == 2:
                _web_round(env, log, rng, receipts)
                kills["web"] += 1
            else:
                _timer_round(env, log, rng, seeder)
                kills["timers"] += 1
    seeder.db.dispose()
    assert kills["web"] >= 5 and kills["timers"] >= 10 and receipts, (kills, len(receipts))

    db = instance / "probidad.db"
    with sqlite3.connect(db) as conn:
        fired_by_killed = conn.execute("SELECT count(*) FROM timers WHERE state = 'fired'").fetchone()[0]
    assert fired_by_killed > 0, "the killed workers never swept: the loop tested nothing"
    tick = subprocess.run([PROBIDAD, "timers", "tick"], env=env, capture_output=True, text=True, check=False)
    assert tick.returncode == 0, tick.stderr[-2000:]
    _check_consistency(db)

    engine = _engine(env, clock=FrozenClock(datetime.now(UTC)))
    for view in engine.cases(limit=100_000):
        engine.case(view.id)  # workflow state opens under its data key
        if view.process_id == "denuncia":
            assert engine.content(view.id, actor="test")  # the narrative decrypts
    for receipt in receipts:
        case_id = engine.check_receipt(receipt)
        assert case_id is not None, "a receipt shown to a complainant opens nothing"
        assert engine.content(case_id, actor="test")["narrative"].startswith("Hechos")
        for info in engine.attachments(case_id, actor="test"):
            assert engine.attachment(case_id, info.id, actor="test")[2].startswith(b"evidencia")
    engine.db.dispose()
    verify = subprocess.run([PROBIDAD, "audit", "verify"], env=env, capture_output=True, text=True, check=False)
    assert verify.returncode == 0 and "audit chain ok" in verify.stdout, verify.stderr
