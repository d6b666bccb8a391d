"""FireDueTimers: the sweep. The timer table is the truth; a sweep costs O(due), not O(open).

Each case is advanced in its own transaction: the timer row is marked fired in the same commit as
the workflow step, so a crash between claim and commit leaves the row waiting and the next sweep
fires it once (SECURITY.md 14). A case that fails is reported and skipped; the rest go on.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from engine.errors import ProbidadError
from engine.ports import UnitOfWork
from engine.services import audit
from engine.services.cases import start_linked
from engine.services.commands import FireDueTimers
from engine.services.context import Runtime
from engine.services.persist import load_case, store_case
from engine.workflow import runner

log = logging.getLogger("probidad.timers")
SYSTEM_ACTOR = "system:timers"


@dataclass
class SweepResult:
    """How many timers fired, and which cases failed (ids only)."""

    fired: int = 0
    failed_cases: list[str] = field(default_factory=list)


def fire_due_timers(cmd: FireDueTimers, uow_factory: Callable[[], UnitOfWork], rt: Runtime) -> SweepResult:
    """Fire every due timer, batch by batch, each case in its own transaction."""
    result = SweepResult()
    skip: set[str] = set()
    while True:
        with uow_factory() as uow:
            due = [t for t in uow.timers.claim_due(cmd.now, cmd.limit + len(skip)) if t.case_id not in skip]
        if not due:
            return result
        by_case: dict[str, list] = defaultdict(list)
        for timer in due[: cmd.limit]:
            by_case[timer.case_id].append(timer)
        for case_id, timers in by_case.items():
            try:
                fired = _fire_case(case_id, [t.id for t in timers], uow_factory, rt)
                result.fired += fired
                if not fired:
                    skip.add(case_id)  # held by another worker or an officer: the next sweep retries it
            except ProbidadError as exc:
                log.warning("timer sweep: case %s failed: %s", case_id, type(exc).__name__)
                result.failed_cases.append(case_id)
                skip.add(case_id)


def _fire_case(case_id: str, timer_ids: list[int], uow_factory: Callable[[], UnitOfWork], rt: Runtime) -> int:
    with uow_factory() as uow:
        # Lock this case's due rows until commit; rows another worker holds are skipped (PostgreSQL).
        rows = {t.id: t for t in uow.timers.lock_waiting(case_id, timer_ids)}
        if not rows:
            return 0
        loaded = load_case(rt, uow, case_id)
        now = rt.now()
        fired = 0
        for timer in sorted(rows.values(), key=lambda r: (r.due_at, r.id)):
            uow.timers.mark_fired(timer.id, now)
            if runner.fire_timer(loaded.workflow, timer.task_id):
                fired += 1
                audit.record(uow, now, SYSTEM_ACTOR, "timer.fire", case_id,
                             {"timer_id": timer.id, "timer": timer.name, "policy": timer.policy,
                              "due_at": timer.due_at.isoformat()})
        store_case(rt, uow, loaded, SYSTEM_ACTOR)
        start_linked(loaded, uow, rt, SYSTEM_ACTOR, 0)
        uow.commit()
    return fired
