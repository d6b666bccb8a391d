"""The inbox keeps serving over HTTP while the timer worker sweeps thousands of due timers (SECURITY.md 16).

A temporary SQLite instance (`probidad init`, demo users) holds 2,000 cases whose timer is already due
(bulk-cloned with valid seals by bench/load.py) and a few web complaints waiting in the oii lane. A
real `probidad web` (gunicorn, 2 workers) serves 127.0.0.1; the demo oii officer logs in over HTTP
with password and TOTP. Then a real `probidad timers` process sweeps while the officer keeps reading
the inbox (every tenth request a case page), one request at a time, each with a timeout, bounded in
count and time.

Pass/fail, with no timing threshold: every page is a 200 with the officer's rows (and the case page
its decrypted narrative); at least MIN_DURING inbox responses were sent after the sweep had fired a timer
and came back while timers were still waiting; every timer fired exactly once (timer table, audit
log and the worker's own log agree); the audit chain verifies; neither process logged an error.
Latency before, during and after the sweep is printed for information only (pytest -s).
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
import requests

from bench.load import PAST, open_engine, seed_due
from engine.testing import FrozenClock
from tests.e2e.common import PROBIDAD, free_port, init_demo
from tests.reliability import load_http as lh

TIMERS = 2000
REVIEWS = 5
BASELINE = 20
MIN_DURING = 20
MAX_REQUESTS = 1500
# Per request. Reads never wait for the sweep, but a request that writes (a case page records the content
# read; every 30 s a request refreshes the session) waits for SQLite's write lock, held by the sweep almost
# all the time: seconds, not milliseconds. 30 s is the SQLite busy_timeout, after which the app would fail.
REQUEST_TIMEOUT = 30.0
CASE_EVERY = 10  # every 10th request opens a case page instead of the inbox
SWEEP_BUDGET = 75.0  # seconds: far above a sweep's time; hitting it fails the test
OFFICER = "demo_oii"
SWEEP_PROCESS = "load_sweep"
COMPLAINT = {"channel": "web", "anonymous": True, "protection_requested": False,
             "reason_categories": ["bribery"], "fact_date": "2025-01-02"}
ERROR_LINES = re.compile(r"Traceback|Exception on|\[ERROR\]|\[CRITICAL\]|WORKER TIMEOUT|sweep failed|"
                         r"failed cases [1-9]|Internal Server Error")


def _seed(env: dict, folder: Path) -> dict[str, str]:
    """TIMERS due sweep cases and REVIEWS complaints for the oii lane; {case id: narrative}."""
    past = open_engine(env, folder, clock=FrozenClock(PAST))
    assert len(seed_due(past, TIMERS)) == TIMERS
    past.db.dispose()
    live = open_engine(env, folder)
    reviews = {}
    for n in range(REVIEWS):
        narrative = f"Narrativa de carga {n}: pedido de dinero en la orden {1000 + n}"
        reviews[live.start_case_with_content("denuncia", COMPLAINT, {"narrative": narrative},
                                             actor="complainant")] = narrative
    live.db.dispose()
    return reviews


def _check_inbox(response, codes: set[str]) -> bool:
    """A 200 inbox page listing exactly the officer's REVIEWS tasks, every expected case code among them."""
    if response is None or response.status_code != 200:
        return False
    page = response.text
    return "Bandeja de tareas" in page and f"<p>{REVIEWS} tareas</p>" in page and all(c in page for c in codes)


def _check_case(response, code: str, narrative: str) -> bool:
    """A 200 case page with the case code and its decrypted narrative."""
    return (response is not None and response.status_code == 200 and code in response.text
            and narrative in response.text)


class Officer:
    """One logged-in officer reading the inbox (every CASE_EVERY-th time a case page), timing each request."""

    def __init__(self, base: str, session: requests.Session, reviews: dict[str, str], db: Path):
        self.base, self.session, self.db = base, session, db
        self.reviews = list(reviews.items())
        self.codes = {case_id[:8].upper() for case_id in reviews}
        self.samples: list[lh.Sample] = []

    def request(self) -> lh.Sample:
        """One GET between two readings of the sweep's progress."""
        n = len(self.samples)
        if n % CASE_EVERY == CASE_EVERY - 1:
            case_id, narrative = self.reviews[(n // CASE_EVERY) % len(self.reviews)]
            path, check = f"/casos/{case_id}", lambda r: _check_case(r, case_id[:8].upper(), narrative)
        else:
            path, check = "/bandeja", lambda r: _check_inbox(r, self.codes)
        waiting, fired = lh.sweep_progress(self.db, SWEEP_PROCESS)
        sent = time.monotonic()
        response, ms = lh.timed_get(self.session, self.base + path, REQUEST_TIMEOUT)
        after, _ = lh.sweep_progress(self.db, SWEEP_PROCESS)
        status = response.status_code if response is not None else 0
        sample = lh.Sample(path, sent, status, ms, check(response), waiting, fired, after)
        self.samples.append(sample)
        return sample


def _read_while_sweeping(officer: Officer) -> list[lh.Sample]:
    """Requests until the sweep is over (plus a few after it), bounded by MAX_REQUESTS and SWEEP_BUDGET."""
    began, after_sweep, samples = time.monotonic(), 0, []
    while len(samples) < MAX_REQUESTS and time.monotonic() - began < SWEEP_BUDGET:
        sample = officer.request()
        samples.append(sample)
        if sample.waiting_after == 0:
            after_sweep += 1
            if after_sweep >= 5:
                break
    return samples


def _audit_fires(db: Path) -> tuple[dict, set, Counter, int]:
    """Sweep timers by state, their ids, audit `timer.fire` entries per timer id, closed sweep cases."""
    with sqlite3.connect(db) as conn:
        join = "FROM timers JOIN cases ON cases.id = timers.case_id WHERE cases.process_id = ?"
        states = dict(conn.execute(f"SELECT timers.state, count(*) {join} GROUP BY timers.state",  # noqa: S608
                                   (SWEEP_PROCESS,)).fetchall())
        ids = {r[0] for r in conn.execute(f"SELECT timers.id {join}", (SWEEP_PROCESS,))}  # noqa: S608
        fires = Counter(json.loads(d)["timer_id"] for (d,) in
                        conn.execute("SELECT details FROM audit_log WHERE action = 'timer.fire'"))
        closed = conn.execute("SELECT count(*) FROM cases WHERE process_id = ? AND status = 'closed'",
                              (SWEEP_PROCESS,)).fetchone()[0]
    return states, ids, fires, closed


def _report(before: list[lh.Sample], samples: list[lh.Sample], during: list[lh.Sample]) -> None:
    """Informational: the sweep as the officer saw it, and latency before, during and after it."""
    start = next((s.sent for s in samples if s.fired_before > 0), None)
    end = next((s.sent for s in samples if s.waiting_before == 0), None)
    window = f"{end - start:.1f} s" if start is not None and end is not None else "?"
    after = [s for s in samples if s.waiting_before == 0]
    print(f"\n[property 16] {TIMERS} due timers swept in about {window}; {len(during)} of {len(samples)} officer "
          f"requests were sent after the first timer fired and answered before the last one did")
    for label, group in (("before", before), ("during", during), ("after", after)):
        print(f"[property 16] inbox {label}: {lh.percentiles([s.ms for s in group if s.path == '/bandeja'])}")
        print(f"[property 16] case page {label}: {lh.percentiles([s.ms for s in group if s.path != '/bandeja'])}")


@pytest.mark.slow
@pytest.mark.xdist_group("process-heavy")  # many processes: one at a time on one xdist worker (Makefile)
def test_inbox_keeps_serving_over_http_while_timers_sweep(tmp_path):
    instance = tmp_path / "instance"
    env = lh.instance_env(instance)
    users = init_demo(env)
    assert OFFICER in users, sorted(users)
    reviews = _seed(env, tmp_path)
    db = instance / "probidad.db"
    assert lh.sweep_progress(db, SWEEP_PROCESS) == (TIMERS, 0)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    web_log, timers_log = tmp_path / "web.log", tmp_path / "timers.log"
    procs = [lh.start(["web", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"], env, web_log)]
    try:
        lh.wait_healthy(base, procs[0], web_log)
        session = requests.Session()
        lh.http_login(session, base, OFFICER, *users[OFFICER])
        officer = Officer(base, session, reviews, db)
        before = [officer.request() for _ in range(BASELINE)]
        procs.append(lh.start(["timers"], env, timers_log))
        samples = _read_while_sweeping(officer)
        stop_at = time.monotonic() + 30
        while lh.sweep_progress(db, SWEEP_PROCESS)[0] and time.monotonic() < stop_at:
            time.sleep(0.2)  # polling a real process, not timing logic
    finally:
        lh.stop(procs)

    during = [s for s in samples if s.during_sweep]
    _report(before, samples, during)
    bad = [(s.path, s.status) for s in before + samples if not s.ok]
    assert bad == [], f"{len(bad)} requests failed or lacked the officer's rows: {bad[:10]}"
    assert all(s.ms < REQUEST_TIMEOUT * 1000 for s in before + samples)
    assert all(s.fired_before == 0 for s in before), "the sweep must not start before the baseline"
    inbox_during = sum(s.path == "/bandeja" for s in during)
    assert inbox_during >= MIN_DURING, f"only {inbox_during} inbox responses interleaved with the sweep"

    states, ids, fires, closed = _audit_fires(db)
    assert states == {"fired": TIMERS}
    assert len(ids) == TIMERS and set(fires) == ids and set(fires.values()) == {1}, "a timer fired twice or never"
    assert closed == TIMERS
    worker_fired = sum(int(n) for n in re.findall(r"timer sweep: fired (\d+)", timers_log.read_text()))
    assert worker_fired == TIMERS

    for log in (web_log, timers_log):
        errors = [line for line in log.read_text(errors="replace").splitlines() if ERROR_LINES.search(line)]
        assert errors == [], f"{log.name}: {errors[:5]}"
    verify = subprocess.run([PROBIDAD, "audit", "verify"], env=env, capture_output=True, text=True, timeout=120,
                            check=False)
    assert verify.returncode == 0, verify.stderr
    assert "audit chain ok" in verify.stdout
