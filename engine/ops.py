"""Operations helpers (issue 9): monitoring metrics, timer-worker heartbeats, serving with gunicorn.

`metrics(engine)` is what a `/metrics` endpoint should return (the web feature exposes it; see
docs/operations.md "Monitoring"). Nothing here reads or returns case content.
"""

from __future__ import annotations

import os
import secrets
import socket
import sys
import time
from datetime import timedelta
from typing import Any

WORKER_NAME = f"{socket.gethostname()}:{os.getpid()}"


def metrics(engine: Any) -> dict:
    """Timers waiting, due and overdue, and each timer worker's last sweep (time, duration, fired).

    A timer is *due* when its instant has passed and it has not fired yet; it is *overdue* when it has
    been due for more than two sweep intervals, which means the timer workers are down or behind.
    """
    from engine import bootstrap_db

    now = engine.rt.now()
    interval = getattr(engine.settings, "timer_interval_seconds", 30)
    result = bootstrap_db.timer_counts(engine.db, now, now - timedelta(seconds=2 * interval))
    workers = bootstrap_db.heartbeats(engine.db)
    last = workers[0] if workers else None
    result.update({
        "now": now,
        "backend": engine.db.dialect.name,
        "timer_interval_seconds": interval,
        "last_sweep_at": last["last_sweep_at"] if last else None,
        "last_sweep_seconds": last["last_sweep_seconds"] if last else None,
        "timer_workers": [{"worker": w["worker"], "last_sweep_at": w["last_sweep_at"],
                           "last_sweep_seconds": w["last_sweep_seconds"], "last_fired": w["last_fired"],
                           "total_fired": w["total_fired"]} for w in workers],
    })
    return result


def timed_sweep(engine: Any, worker: str = WORKER_NAME):
    """Run one sweep and record this worker's heartbeat (used by the timer worker loop)."""
    from engine import bootstrap_db

    began = time.perf_counter()
    result = engine.sweep()
    bootstrap_db.record_sweep(engine.db, worker, engine.rt.now(), round(time.perf_counter() - began, 3),
                              result.fired)
    return result


def gunicorn_argv(host: str, port: int, workers: int) -> list[str]:
    """The gunicorn command line: the app factory `web:create_app()`, no access log (it would hold IPs)."""
    from importlib.metadata import version

    argv = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"{host}:{port}",
            "--worker-tmp-dir", "/dev/shm" if os.path.isdir("/dev/shm") else "/tmp",  # noqa: S108  # nosec B108
            "--graceful-timeout", "30", "--timeout", "60"]
    if int(version("gunicorn").split(".")[0]) >= 27:
        argv.append("--no-control-socket")  # one per home directory would clash between instances
    return [*argv, "web:create_app()"]


def serve_gunicorn(host: str, port: int, workers: int) -> None:
    """Replace this process with a gunicorn master running `workers` web workers (never returns).

    Every worker builds its own engine (and connection pool) after the fork. In development a random
    PROBIDAD_SECRET_KEY is shared by all workers so that sessions survive a change of worker; in
    production Settings already refuses to start without one.
    """
    env = dict(os.environ)
    if not env.get("PROBIDAD_SECRET_KEY") and not env.get("PROBIDAD_SECRET_KEY_FILE"):
        env["PROBIDAD_SECRET_KEY"] = secrets.token_hex(32)
    argv = gunicorn_argv(host, port, workers)
    os.execve(argv[0], argv, env)  # noqa: S606 - a fixed command line, no shell
