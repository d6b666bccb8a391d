"""Dry run: simulate a diagram in memory with chosen decisions and a start date (issue 8).

Nothing is persisted. The diagram runs in the real sandbox with the entity's calendar and SLA
policies, on a simulated clock that starts at 09:00 in Lima on the chosen date. User tasks are
completed with the chosen decisions; timers fire only when no user task is ready (the clock jumps
to the earliest due instant), so the result is the "happy path" with every deadline computed on
the business-day calendar.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, date, datetime, time
from typing import Any

from engine.clock import LIMA, parse_instant
from engine.errors import InvalidBpmn, ProbidadError, Problem
from engine.services.context import Runtime, script_engine, tenant_rules
from engine.workflow import runner, simulate
from engine.workflow.parser import executable_process_ids, parse_bpmn
from engine.workflow.xml_safety import safe_parse

MAX_DRY_STEPS = 200
_AT_ELEMENT = re.compile(r"at '([^']+)'")


class SimClock:
    """The dry run's clock: starts at a given instant and only moves forward when a timer is due."""

    def __init__(self, start: datetime):
        self.current = start

    def now(self) -> datetime:
        """The simulated instant."""
        return self.current

    def set(self, moment: datetime) -> None:
        """Jump forward (never back)."""
        self.current = max(self.current, moment)


def problem_dict(problem: Problem) -> dict[str, Any]:
    """A problem as the designer's JSON contract shows it."""
    return {"element_id": problem.element_id, "message": problem.message, "severity": problem.severity}


def _start_instant(start_date: date) -> datetime:
    return datetime.combine(start_date, time(9, 0), tzinfo=LIMA).astimezone(UTC)


def _split(decisions: dict[str, Any], task_ids: set[str]) -> tuple[dict, dict[str, dict]]:
    """Global data keys, and per-task data (`{task_id: {...}}`)."""
    common, per_task = {}, {}
    for key, value in (decisions or {}).items():
        if key in task_ids and isinstance(value, dict):
            per_task[key] = dict(value)
        else:
            common[key] = value
    return common, per_task


@dataclasses.dataclass
class _Run:
    rt: Runtime
    rules: Any
    workflow: Any = None
    path: list = dataclasses.field(default_factory=list)
    tasks: list = dataclasses.field(default_factory=list)
    problems: list = dataclasses.field(default_factory=list)
    seen: set = dataclasses.field(default_factory=set)

    def engine(self):
        """A fresh sandboxed script engine (each step has its own run budget)."""
        return script_engine(self.rt, self.rules)

    def record_path(self) -> None:
        self.path.extend(dataclasses.asdict(e) for e in simulate.newly_completed(self.workflow, self.seen))

    def fail(self, exc: Exception) -> None:
        message = str(exc) if isinstance(exc, ProbidadError) else f"the simulation failed ({type(exc).__name__})"
        found = _AT_ELEMENT.search(message)
        self.problems.append({"element_id": found.group(1) if found else None, "message": message[:400],
                              "severity": "error"})


def dry_run(rt: Runtime, xml: bytes, start_date: date, decisions: dict[str, Any], tenant: str) -> dict[str, Any]:
    """Simulate the diagram's executable process; return {path, tasks, problems} (docs/designer.md)."""
    try:
        bundle = _bundle(xml)
    except InvalidBpmn as exc:
        return {"path": [], "tasks": [], "problems": [problem_dict(p) for p in exc.problems]}
    with rt.uow_factory(readonly=True) as uow:
        rules = tenant_rules(rt, uow, tenant)
    run = _Run(dataclasses.replace(rt, clock=SimClock(_start_instant(start_date))), rules)
    common, per_task = _split(decisions, simulate.user_task_ids(bundle))
    run.problems.extend(_allow_list_warnings(rt, bundle.process_id, common, per_task))
    try:
        run.workflow = runner.start(bundle, run.engine(), dict(common))
        run.record_path()
        _drive(run, common, per_task)
    except Exception as exc:  # noqa: BLE001 - a designer's diagram must never crash the request
        run.fail(exc)
    return {"path": run.path, "tasks": run.tasks, "problems": run.problems}


def _bundle(xml: bytes):
    root = safe_parse(xml, "<designer>")
    bundles = parse_bpmn(xml, "<designer>")
    for pid in executable_process_ids(root):
        if pid in bundles:
            return bundles[pid]
    raise InvalidBpmn([Problem("<designer>", None, "no executable process found")])


def _allow_list_warnings(rt: Runtime, process_id: str, common: dict, per_task: dict) -> list[dict]:
    definition = rt.definition(process_id)
    if definition is None:
        return []
    keys = set(common).union(*[set(v) for v in per_task.values()]) if per_task else set(common)
    return [{"element_id": None, "severity": "warning",
             "message": f"'{key}' is not in the process's task-data allow-list (a real case would refuse it)"}
            for key in sorted(keys - set(definition.data_keys))]


def _drive(run: _Run, common: dict, per_task: dict[str, dict]) -> None:
    for _ in range(MAX_DRY_STEPS):
        runner.attach(run.workflow, run.engine())
        ready = runner.ready_user_tasks(run.workflow)
        if ready:
            _complete(run, ready[0], {**common, **per_task.get(ready[0].name, {})})
            continue
        if runner.is_completed(run.workflow) or not _fire_next_timer(run):
            return
    run.problems.append({"element_id": run.path[-1]["element_id"] if run.path else None, "severity": "error",
                         "message": f"the simulation stopped after {MAX_DRY_STEPS} steps (a loop?)"})


def _complete(run: _Run, task: runner.ReadyTask, data: dict) -> None:
    timers = [t for t in runner.waiting_timers(run.workflow) if t.attached_to == task.name and t.due_at]
    timers.sort(key=lambda t: parse_instant(t.due_at))
    run.tasks.append({"element_id": task.name, "name": task.title, "role": task.lane,
                      "due_at": timers[0].due_at if timers else task.due_at,
                      "policy": timers[0].policy if timers else None})
    runner.complete(run.workflow, task.id, data)
    run.record_path()


def _fire_next_timer(run: _Run) -> bool:
    timers = [t for t in runner.waiting_timers(run.workflow) if t.due_at]
    if not timers:
        waiting = simulate.waiting_elements(run.workflow)
        run.problems.append({"element_id": waiting[0] if waiting else None, "severity": "warning",
                             "message": "the process waits for something the dry run cannot simulate "
                                        "(a message or signal); the simulation ends here"})
        return False
    earliest = min(timers, key=lambda t: parse_instant(t.due_at))
    run.rt.clock.set(parse_instant(earliest.due_at))
    runner.attach(run.workflow, run.engine())
    runner.fire_timer(run.workflow, earliest.task_id)
    run.record_path()
    return True
