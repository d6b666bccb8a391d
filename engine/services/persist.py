"""Loading and storing a case's workflow in one unit of work: state, tasks, timers, status."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from engine.clock import parse_instant
from engine.domain.model import Case, SealedBlob, TaskRecord, TimerChanges, TimerRecord
from engine.errors import NotFound
from engine.ports import UnitOfWork
from engine.services.context import Runtime, TenantRules, script_engine, tenant_rules
from engine.workflow import runner, serializer
from engine.workflow.parser import ProcessBundle


@dataclass
class LoadedCase:
    """A case with its restored workflow, ready to be advanced."""

    case: Case
    bundle: ProcessBundle
    workflow: Any
    rules: TenantRules
    sealed: SealedBlob | None
    loaded_version: int
    # Messages the last step threw, drained before the state is sealed so that a stored state never
    # carries them: otherwise every later load would throw them again (and start a linked case twice).
    messages: list[runner.ThrownMessage] = field(default_factory=list)
    # The timer rows the last store added and cancelled (what the reminders hook plans and cancels).
    timer_changes: TimerChanges = field(default_factory=TimerChanges)
    # The workflow variables as of the last store (read by the facts projection hook).
    data: dict[str, Any] | None = None


def bundle_for(rt: Runtime, uow: UnitOfWork, process_id: str, version: int | None = None) -> tuple[ProcessBundle, int]:
    """The parsed bundle of a deployed process version (newest when version is None).

    Only the version's sha256 is read when its bundle is already parsed; the XML is fetched (and parsed
    once per sha256) otherwise."""
    ref = uow.definitions.ref(process_id, version)
    if ref is None:
        raise NotFound(f"process '{process_id}' is not deployed" + (f" in version {version}" if version else ""))
    found, sha256 = ref
    bundle = rt.specs.cached(sha256, process_id)
    if bundle is None:
        definition = uow.definitions.get(process_id, found)
        if definition is None:  # removed between the two reads: only a restore could do that
            raise NotFound(f"process '{process_id}' is not deployed in version {found}")
        bundle = rt.specs.get(definition.xml, process_id, definition.filename)
    return bundle, found


def load_case(rt: Runtime, uow: UnitOfWork, case_id: str) -> LoadedCase:
    """Open a case's sealed state and restore its workflow (reusing the live object this process stored
    last, when the sealed row is still exactly what it wrote: engine/services/live_cache.py)."""
    case = uow.cases.get(case_id)
    if case is None or case.status == "shredded":
        raise NotFound(f"case {case_id} not found")
    bundle, _ = bundle_for(rt, uow, case.process_id, case.process_version)
    sealed = uow.states.get(case_id)
    if sealed is None:
        raise NotFound(f"case {case_id} has no workflow state")
    rules = tenant_rules(rt, uow, case.tenant_id)
    workflow = rt.live.take(case.tenant_id, case_id, sealed, bundle)
    if workflow is None:
        workflow = serializer.load_state(rt.sealer.open(case.tenant_id, case.id, sealed), bundle)
        runner.thrown_messages(workflow)  # states sealed by earlier releases kept messages already acted upon
    runner.attach(workflow, script_engine(rt, rules, case.id))
    return LoadedCase(case, bundle, workflow, rules, sealed, case.version)


def release(rt: Runtime, loaded: LoadedCase) -> None:
    """Hand back a case that was only read, so the next command can reuse its live workflow."""
    if loaded.sealed is not None:
        rt.live.put(loaded.case.tenant_id, loaded.case.id, loaded.sealed, loaded.workflow, loaded.bundle)


def _instant(value: str | None) -> datetime | None:
    return parse_instant(value) if value else None


def task_records(case: Case, ready: list[runner.ReadyTask], now: datetime) -> list[TaskRecord]:
    """The ready user tasks as inbox rows."""
    return [
        TaskRecord(id=t.id, case_id=case.id, tenant_id=case.tenant_id, process_id=case.process_id,
                   name=t.name, title=t.title, lane=t.lane, form_id=t.form_id, state="ready",
                   created_at=now, due_at=_instant(t.due_at))
        for t in ready
    ]


def timer_records(case: Case, waiting: list[runner.WaitingTimer], now: datetime) -> list[TimerRecord]:
    """The waiting timers as timer-table rows."""
    records = []
    for timer in waiting:
        due = _instant(timer.due_at)
        if due is None:
            continue
        records.append(TimerRecord(case_id=case.id, tenant_id=case.tenant_id, task_id=timer.task_id,
                                   name=timer.name, policy=timer.policy, due_at=due, started_at=now,
                                   attached_to=timer.attached_to))
    return records


def _outcome(rt: Runtime, process_id: str, ends: list[str]) -> str | None:
    """The end that describes the case: the last one reached among those the process labels."""
    definition = rt.definition(process_id)
    labelled = [e for e in ends if definition is not None and e in definition.status_labels]
    chosen = labelled or ends
    return chosen[-1] if chosen else None


def store_case(rt: Runtime, uow: UnitOfWork, loaded: LoadedCase, actor: str | None, *, new: bool = False) -> None:
    """Write state, inbox tasks, timers and status in the caller's transaction (one commit)."""
    case, workflow, now = loaded.case, loaded.workflow, rt.now()
    view = runner.inspect(workflow)  # one walk of the task tree for tasks, timers and the facts' data
    loaded.data = view.data
    tasks = task_records(case, view.ready, now)
    timers = timer_records(case, view.timers, now)
    if runner.is_completed(workflow):
        case.status = "closed"
        case.outcome = _outcome(rt, case.process_id, runner.reached_end_events(workflow))
        case.closed_at = case.closed_at or now
    case.stage = tasks[0].name if tasks else None
    case.next_due_at = min((t.due_at for t in timers), default=None)
    case.updated_at = now
    loaded.messages.extend(runner.thrown_messages(workflow))
    sealed = rt.sealer.seal(case.tenant_id, case.id, serializer.dump_state(workflow), loaded.sealed)
    if new:
        uow.cases.add(case)
    else:
        uow.cases.save(case, loaded.loaded_version)
    uow.states.put(case.id, sealed, serializer.serializer_version())
    loaded.sealed = sealed
    rt.live.put(case.tenant_id, case.id, sealed, workflow, loaded.bundle)  # reused only if this commit lands
    uow.tasks.sync(case.id, tasks, now, actor)
    loaded.timer_changes = uow.timers.sync(case.id, timers, now)
    for hook in rt.extras.get("after_store", ()):  # feature hooks in the same transaction (reminders)
        hook(rt, uow, loaded, now)
