"""Crypto share: the part of a command (start a case, complete a task) spent sealing and opening state.

The engine's sealer is wrapped by a proxy that times every seal/open call (data-key unwrap included);
the engine's start_case/complete_task calls are timed around them. share = sealer time / command time.
"""

from __future__ import annotations

import time

from bench.common import bench_engine, dispose, goal_row, row, run_complaint, scratch_dir

GOAL = 0.05


class TimingSealer:
    """Delegates to the real sealer and adds up the seconds spent in it."""

    def __init__(self, inner):
        self.inner = inner
        self.seconds = 0.0
        self.seals = 0
        self.opens = 0

    def _time(self, method, *args):
        began = time.perf_counter()
        try:
            return method(*args)
        finally:
            self.seconds += time.perf_counter() - began

    def seal(self, *args):
        """Timed seal."""
        self.seals += 1
        return self._time(self.inner.seal, *args)

    def open(self, *args):
        """Timed open."""
        self.opens += 1
        return self._time(self.inner.open, *args)

    def __getattr__(self, name):
        return getattr(self.inner, name)


class TimedCommands:
    """Times the engine's state-changing commands."""

    def __init__(self, engine):
        self.seconds = 0.0
        self.count = 0
        for name in ("start_case", "complete_task"):
            setattr(engine, name, self._wrap(getattr(engine, name)))

    def _wrap(self, method):
        def timed_command(*args, **kwargs):
            began = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - began
                self.count += 1
        return timed_command


def run(quick: bool, n: int | None = None) -> list[dict]:
    """The crypto share of command time over n complaint lifecycles."""
    count = n if n is not None else (8 if quick else 40)
    with scratch_dir() as folder:
        engine, _ = bench_engine(folder)
        try:
            run_complaint(engine)
            sealer = TimingSealer(engine.rt.sealer)
            engine.rt.sealer = sealer
            commands = TimedCommands(engine)
            for _ in range(count):
                run_complaint(engine)
        finally:
            dispose(engine)
    calls = sealer.seals + sealer.opens
    return [
        goal_row("crypto_share", sealer.seconds / commands.seconds, "fraction", commands.count,
                 "command time (start_case/complete_task)", GOAL,
                 crypto_ms_per_command=round(sealer.seconds / commands.count * 1000, 4)),
        row("crypto_ms_per_call", sealer.seconds / calls * 1000, "ms", calls, None,
            note="one seal or open: data-key unwrap + AES-256-GCM"),
        row("command_ms", commands.seconds / commands.count * 1000, "ms", commands.count, None),
    ]
