"""Timer sweep scaling (issue 5): the time FireDueTimers takes to fire D due timers among 1k, 10k and
100k open cases. Goal: `sweep_ratio_100k_vs_1k` <= 1.3 (the sweep costs O(due), not O(open)).

Method. One base database (SQLite file, file keyrings, frozen clock) holds D real cases of a tiny
process (start -> timer `sla_due("denuncia.registro")` -> end), started through the Engine API on
Monday 3 March 2025, so their timers are due a day later. For each size N the base file is copied
and N - D open, not-due cases are added by cloning the first case's rows with SQL (a recursive CTE:
`cases`, `case_states`, `timers` and `reminders` rows, with due instants moved to 2099), and the WAL is
checkpointed so the bulk insert's write-back is not billed to the sweep. The clones
carry the sealed state of the template case, whose AAD names the template's id: a sweep that opened
a clone would fail, so the sweep touching only due rows is also checked, not just timed. Then one
`Engine.sweep(now)` is timed on each copy (30 days later, every real timer due) and must fire D timers.

--quick uses D = 200 among 1k and 100k open cases; the full run uses D = 1,000 among 1k, 10k and 100k.
The row's `n` is D, the number of timers fired.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import START, bench_engine, dispose, goal_row, row, scratch_dir, timed

GOAL = 1.3
FAR = datetime(2099, 1, 1, tzinfo=UTC)
NOW = START + timedelta(days=30)
PREFIX = "zz"  # case ids of clones: never a prefix of a hex uuid
TINY_XML = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="bench_sweep_defs"
  targetNamespace="http://probidad.example/bpmn">
  <bpmn:process id="bench_sweep" name="Timer only" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:intermediateCatchEvent id="wait" name="Wait">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDate xsi:type="bpmn:tFormalExpression">
        sla_due("denuncia.registro")</bpmn:timeDate></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""

_SEQ = "WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < :count) "
_CLONE = (
    _SEQ + "INSERT INTO cases (id, tenant_id, process_id, process_version, status, stage, outcome, version, "
    "created_at, updated_at, closed_at, next_due_at) SELECT printf('zz%030d', n), c.tenant_id, c.process_id, "
    "c.process_version, c.status, c.stage, c.outcome, c.version, c.created_at, c.updated_at, c.closed_at, :far "
    "FROM cases c, seq WHERE c.id = :template",
    _SEQ + "INSERT INTO case_states (case_id, ciphertext, wrapped_key, kek_version, serializer_version) "
    "SELECT printf('zz%030d', n), s.ciphertext, s.wrapped_key, s.kek_version, s.serializer_version "
    "FROM case_states s, seq WHERE s.case_id = :template",
    _SEQ + "INSERT INTO timers (case_id, tenant_id, task_id, name, policy, attached_to, due_at, started_at, state) "
    "SELECT printf('zz%030d', n), t.tenant_id, t.task_id, t.name, t.policy, t.attached_to, :far, t.started_at, "
    "'waiting' FROM timers t, seq WHERE t.case_id = :template",
    "INSERT INTO reminders (timer_id, case_id, tenant_id, policy, kind, level, role, at, due_at, state, dedupe) "
    "SELECT t.id, t.case_id, r.tenant_id, r.policy, r.kind, r.level, r.role, :far, :far, 'pending', "
    "'b' || t.id || ':' || r.kind || ':' || r.level FROM timers t JOIN reminders r ON r.case_id = :template "
    "WHERE t.case_id LIKE 'zz%'",
)


def _base(folder: Path, due: int) -> tuple[Path, str]:
    """The base database: `due` real cases whose timers are due by NOW. Returns (file, template id)."""
    engine, _clock = bench_engine(folder, deploy=False)
    engine.deploy_xml(TINY_XML, "bench_sweep.bpmn", actor="bench")
    ids = [engine.start_case("bench_sweep", actor="bench") for _ in range(due)]
    dispose(engine)
    return folder / "bench.db", ids[0]


def _clone(engine, template: str, count: int) -> None:
    """Add `count` open, not-due cases by cloning the template's rows (see the module docstring)."""
    from sqlalchemy import DateTime, bindparam, text

    with engine.db.begin() as conn:
        for sql in _CLONE:
            statement, params = text(sql), {"template": template}
            if ":far" in sql:
                statement = statement.bindparams(bindparam("far", type_=DateTime(timezone=True)))
                params["far"] = FAR
            if ":count" in sql:
                params["count"] = count
            conn.execute(statement, params)
    raw = engine.db.raw_connection()  # setup, not sweep: fold the bulk insert's WAL into the file
    try:
        raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()


def _measure(folder: Path, base: Path, template: str, open_cases: int, due: int) -> float:
    """Seconds of one sweep firing `due` timers among `open_cases` open cases."""
    target = folder / f"open_{open_cases}.db"
    shutil.copyfile(base, target)
    engine, _clock = bench_engine(folder, database_url=f"sqlite:///{target}", deploy=False)
    try:
        if open_cases > due:
            _clone(engine, template, open_cases - due)
        with engine.rt.uow_factory(readonly=True) as uow:
            assert uow.timers.count("waiting") == open_cases
        seconds, result = timed(lambda: engine.sweep(NOW))
        if result.fired != due or result.failed_cases:
            raise RuntimeError(f"bench sweep: fired {result.fired} of {due}, {len(result.failed_cases)} failed")
    finally:
        dispose(engine)
        target.unlink(missing_ok=True)
    return seconds


def run(quick: bool) -> list[dict]:
    """Sweep time at each size, and the ratio of the largest to the smallest."""
    due, sizes = (200, (1_000, 100_000)) if quick else (1_000, (1_000, 10_000, 100_000))
    with scratch_dir("probidad-bench-sweep-") as folder:
        base, template = _base(folder, due)
        seconds = {size: _measure(folder, base, template, size, due) for size in sizes}
    rows = [row(f"sweep_seconds_{size // 1000}k", seconds[size], "s", due, f"{size} open cases",
                per_timer_ms=round(1000 * seconds[size] / due, 3)) for size in sizes]
    ratio = seconds[sizes[-1]] / seconds[sizes[0]]
    rows.append(goal_row("sweep_ratio_100k_vs_1k", ratio, "ratio", due, f"{due} due timers among 1000 open cases",
                         GOAL, open_cases=list(sizes)))
    return rows


if __name__ == "__main__":  # pragma: no cover - manual run
    import json
    import sys

    for item in run("--quick" in sys.argv):
        print(json.dumps(item))
