"""Helpers for HTTP load tests against real `probidad` processes on 127.0.0.1 (SECURITY.md property 16).

An instance environment, a `probidad web` process (gunicorn) and a `probidad timers` process, an
officer login over HTTP (password, then TOTP, CSRF tokens read from the forms), timed requests, and
sweep progress read straight from the SQLite file.
"""

from __future__ import annotations

import os
import re
import sqlite3
import statistics
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pyotp
import requests

from bench.load import stop_workers
from tests.e2e.common import PROBIDAD

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def instance_env(instance: Path, timer_interval: int = 1) -> dict:
    """The environment of probidad processes on a SQLite instance in `instance` (no inherited PROBIDAD_*)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROBIDAD_")}
    env.update(PROBIDAD_INSTANCE=str(instance), PROBIDAD_ENV="development",
               PROBIDAD_DATABASE_URL=f"sqlite:///{(instance / 'probidad.db').resolve()}",
               PROBIDAD_TIMER_INTERVAL=str(timer_interval))
    return env


def start(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    """Start `probidad <args>` with stdout and stderr going to `log`."""
    with open(log, "ab") as out:
        return subprocess.Popen([PROBIDAD, *args], env=env, stdout=out, stderr=subprocess.STDOUT)


def stop(procs: list[subprocess.Popen]) -> None:
    """Terminate the processes this test started (SIGTERM, then SIGKILL after 30 s) and reap them."""
    stop_workers(procs, grace=30)


def wait_healthy(base: str, proc: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    """Poll `/healthz` until it answers 200; fail with the log if the process dies or time runs out."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if requests.get(base + "/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"probidad web did not start:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.2)  # polling a real process, not timing logic


def csrf_token(html: str) -> str:
    """The CSRF token of a form page."""
    found = _CSRF.search(html)
    if found is None:
        raise AssertionError("no csrf_token on the page")
    return found.group(1)


def http_login(session: requests.Session, base: str, username: str, password: str, secret: str,
               timeout: float = 30) -> requests.Response:
    """Log an officer in through the real forms (password, then the current TOTP code); return the inbox."""
    token = csrf_token(session.get(base + "/ingresar", timeout=timeout).text)
    step = session.post(base + "/ingresar", data={"username": username, "password": password, "csrf_token": token},
                        timeout=timeout)
    if not step.url.endswith("/ingresar/codigo"):
        raise AssertionError(f"password step refused ({step.status_code} {step.url})")
    token = csrf_token(step.text)
    done = session.post(base + "/ingresar/codigo", data={"code": pyotp.TOTP(secret).now(), "csrf_token": token},
                        timeout=timeout)
    if done.status_code != 200 or not done.url.endswith("/bandeja"):
        raise AssertionError(f"TOTP step refused ({done.status_code} {done.url})")
    return done


@dataclass
class Sample:
    """One timed request and the sweep's progress just before it was sent and just after it returned."""

    path: str
    sent: float  # time.monotonic() when the request was sent
    status: int
    ms: float
    ok: bool
    waiting_before: int
    fired_before: int
    waiting_after: int

    @property
    def during_sweep(self) -> bool:
        """Sent after the sweep had fired a timer, answered while timers were still waiting."""
        return self.fired_before > 0 and self.waiting_after > 0


def timed_get(session: requests.Session, url: str, timeout: float) -> tuple[requests.Response | None, float]:
    """GET without following redirects; (response or None on a transport error, milliseconds)."""
    began = time.perf_counter()
    try:
        response = session.get(url, timeout=timeout, allow_redirects=False)
    except requests.RequestException:
        response = None
    return response, (time.perf_counter() - began) * 1000


def sweep_progress(db: Path, process_id: str) -> tuple[int, int]:
    """(waiting, fired) timers of `process_id`'s cases, read from the SQLite file."""
    query = ("SELECT timers.state, count(*) FROM timers JOIN cases ON cases.id = timers.case_id "
             "WHERE cases.process_id = ? GROUP BY timers.state")
    with sqlite3.connect(db, timeout=30) as conn:
        counts = dict(conn.execute(query, (process_id,)).fetchall())
    return counts.get("waiting", 0), counts.get("fired", 0)


def percentiles(values: list[float]) -> str:
    """'p50 … ms, p95 … ms (n=…)' for the report (informational, never asserted)."""
    if not values:
        return "no samples"
    p95 = statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]
    return f"p50 {statistics.median(values):.0f} ms, p95 {p95:.0f} ms, max {max(values):.0f} ms (n={len(values)})"
