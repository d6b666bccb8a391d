"""The lifecycle and intake figures on PostgreSQL, when one is available: PROBIDAD_BENCH_PG_URL, or a
throwaway server started with initdb/pg_ctl as tests/pg.py does (fsync and synchronous_commit off, as in
the test suite: the figures show the engine's overhead, not a durable disk's latency)."""

from __future__ import annotations

from bench import intake, lifecycle
from bench.common import postgres, row


def run(quick: bool) -> list[dict]:
    """Rows suffixed _postgresql, or one row saying why PostgreSQL was skipped (value 0 is never used)."""
    with postgres() as (factory, how):
        if factory is None:
            return [row("postgresql_skipped", 1, "flag", 0, None, reason=how)]
        lifecycle_url = factory("bench_lifecycle")
        rows = lifecycle.run_on(lifecycle_url, 5 if quick else 20, "postgresql")
        rows += intake.measure(factory, quick, backend="postgresql")
        for item in rows:
            item["setup"] = how
        return rows
