"""The timer worker: one APScheduler interval job running FireDueTimers(now). No state of its own."""

from __future__ import annotations

import logging
import signal
import threading

from apscheduler.schedulers.background import BackgroundScheduler

log = logging.getLogger("probidad.timers")


def _sweep(engine) -> None:
    """One tick: fire due timers, then send due reminders and queued e-mails (issue 5)."""
    from engine.ops import timed_sweep

    try:
        result = timed_sweep(engine)  # records this worker's heartbeat for monitoring (engine.ops.metrics)
        if result.fired or result.failed_cases:
            log.info("timer sweep: fired %d, failed cases %d", result.fired, len(result.failed_cases))
    except Exception as exc:  # noqa: BLE001 - the worker must survive a failed sweep; next tick retries
        log.error("timer sweep failed: %s", type(exc).__name__)
    _send_reminders(engine)


def _send_reminders(engine) -> None:
    try:
        sent = engine.send_reminders()
        if sent.sent or sent.emailed or sent.failed:
            log.info("reminders: sent %d, e-mailed %d, failed %d", sent.sent, sent.emailed, len(sent.failed))
    except Exception as exc:  # noqa: BLE001 - a failed reminder run must not stop the worker
        log.error("reminder sweep failed: %s", type(exc).__name__)


def start_worker(engine, interval: int | None = None) -> BackgroundScheduler:
    """Start the interval job in a background thread (used by `probidad run`)."""
    seconds = interval or getattr(engine.settings, "timer_interval_seconds", 30)
    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.add_job(_sweep, "interval", seconds=seconds, args=[engine], id="fire_due_timers",
                      max_instances=1, coalesce=True, next_run_time=None)
    scheduler.start()
    scheduler.modify_job("fire_due_timers", next_run_time=engine.rt.now())
    return scheduler


def run_forever(engine, interval: int | None = None) -> None:
    """The standalone `probidad timers` process: sweep now, then every interval, until signalled."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("spiff").setLevel(logging.WARNING)  # a line per task state change would flood the log
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    seconds = interval or getattr(engine.settings, "timer_interval_seconds", 30)
    while not stop.is_set():
        _sweep(engine)
        stop.wait(seconds)
