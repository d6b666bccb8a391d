"""Running workflows: start, complete user tasks, fire timers, collect thrown messages, and
serialize/restore state. The only place (with parser/serializer) that touches SpiffWorkflow tasks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState

from engine.errors import Conflict, NotFound, SandboxViolation, StaleCase
from engine.workflow.environment import ProbidadScriptEngine
from engine.workflow.parser import ProcessBundle
from engine.workflow.timers import FIRED_FLAG, ClockTimeDateEventDefinition

_POLICY = re.compile(r"""sla_due\(\s*["']([\w.\-]+)["']""")


class WorkflowFailed(Conflict):
    """A step of the workflow failed (a script error, a missing variable, a sandbox violation)."""


@dataclass(frozen=True)
class ReadyTask:
    """A user task waiting for a person."""

    id: str
    name: str
    title: str
    lane: str | None
    form_id: str
    due_at: str | None = None


@dataclass(frozen=True)
class WaitingTimer:
    """A timer event waiting for its instant."""

    task_id: str
    name: str
    title: str
    due_at: str | None
    policy: str | None
    attached_to: str | None


@dataclass(frozen=True)
class ThrownMessage:
    """A message the workflow threw that nothing inside it caught."""

    name: str
    payload: Any


def _guarded(action):
    """Run a SpiffWorkflow action, turning its failures into plain engine errors."""
    try:
        return action()
    except SandboxViolation:
        raise
    except SpiffWorkflowException as exc:
        cause = exc.__cause__ or getattr(exc, "exception", None)
        if isinstance(cause, SandboxViolation):
            raise SandboxViolation(str(cause)) from None
        raise WorkflowFailed(_describe(exc)) from None


def _describe(exc: SpiffWorkflowException) -> str:
    task = getattr(exc, "task", None)
    where = f" at '{task.task_spec.bpmn_id}'" if task is not None and task.task_spec else ""
    message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return f"workflow step failed{where}: {message}"[:400]


def start(bundle: ProcessBundle, engine: ProbidadScriptEngine, data: dict[str, Any]) -> BpmnWorkflow:
    """Create a workflow instance with initial data and run it to its first wait."""
    workflow = BpmnWorkflow(bundle.spec, bundle.subprocess_specs, script_engine=engine)
    first = workflow.get_tasks(state=TaskState.READY)
    for task in first:
        task.data.update(data)
    _guarded(workflow.do_engine_steps)
    return workflow


def attach(workflow: BpmnWorkflow, engine: ProbidadScriptEngine) -> None:
    """Give a restored workflow (and its subprocesses) the script engine for this operation."""
    workflow.script_engine = engine


@dataclass(frozen=True)
class Inspection:
    """What a store needs from a workflow, read in one walk of its task tree (issue 10)."""

    ready: list[ReadyTask]
    timers: list[WaitingTimer]
    data: dict[str, Any]


def inspect(workflow: BpmnWorkflow) -> Inspection:
    """Ready user tasks, waiting timers and current variables, from a single traversal."""
    live, completed = [], []  # live: READY or WAITING, in traversal order (the order data is merged in)
    for task in walk(workflow):
        if task.state in (TaskState.READY, TaskState.WAITING):
            live.append(task)
        elif task.state == TaskState.COMPLETED:
            completed.append(task)
    ready = [t for t in live if t.state == TaskState.READY and t.task_spec.manual]
    waiting = [t for t in live if t.state == TaskState.WAITING]
    return Inspection(_ready_views(ready), _timer_views(waiting), _merged_data(completed, live))


def walk(workflow: BpmnWorkflow) -> list:
    """Every task, in the order `workflow.get_tasks()` yields them (depth first, a subprocess's tree
    before the children of the task that started it), with a plain loop: SpiffWorkflow's iterator costs
    about 2.5 times as much. tests/workflows/conftest.py checks the two orders agree in every scenario."""
    subprocesses = workflow.subprocesses
    stack, tasks = [workflow.task_tree], []
    while stack:
        task = stack.pop()
        tasks.append(task)
        nested = subprocesses.get(task.id)
        following = task.children if nested is None else [nested.task_tree, *task.children]
        stack.extend(reversed(following))
    return tasks


def _ready_views(tasks) -> list[ReadyTask]:
    views = []
    for task in tasks:
        spec = task.task_spec
        props = (getattr(spec, "extensions", None) or {}).get("properties", {})
        views.append(ReadyTask(id=str(task.id), name=spec.bpmn_id, title=spec.bpmn_name or spec.bpmn_id,
                               lane=spec.lane, form_id=props.get("formId", spec.bpmn_id),
                               due_at=_boundary_due(task)))
    return sorted(views, key=lambda t: (t.name, t.id))


def ready_user_tasks(workflow: BpmnWorkflow) -> list[ReadyTask]:
    """User tasks ready for a person, in a stable order."""
    return _ready_views(workflow.get_tasks(state=TaskState.READY, manual=True))


def _boundary_due(task) -> str | None:
    """The earliest due instant of timers attached to this task as boundary events."""
    parent = task.parent
    if parent is None or type(parent.task_spec).__name__ != "BoundaryEventSplit":
        return None
    dues = []
    for sibling in parent.children:
        definition = getattr(sibling.task_spec, "event_definition", None)
        if sibling.state == TaskState.WAITING and isinstance(definition, ClockTimeDateEventDefinition):
            value = sibling._get_internal_data("event_value")
            if value:
                dues.append(value)
    return min(dues) if dues else None


def _find(workflow: BpmnWorkflow, task_id: str):
    try:
        task = workflow.get_task_from_id(UUID(task_id))
    except (ValueError, KeyError, TypeError):
        task = None
    if task is None:
        raise NotFound(f"task {task_id} not found")
    return task


def complete(workflow: BpmnWorkflow, task_id: str, data: dict[str, Any]) -> None:
    """Complete a ready user task with data, then run engine steps to the next wait."""
    task = _find(workflow, task_id)
    if task.state != TaskState.READY or not task.task_spec.manual:
        raise StaleCase(task_id)
    task.data.update(data)
    _guarded(task.run)
    _guarded(workflow.do_engine_steps)


def waiting_timers(workflow: BpmnWorkflow) -> list[WaitingTimer]:
    """Timer events waiting for their instant, with the due instant and the policy they use."""
    return _timer_views(workflow.get_tasks(state=TaskState.WAITING))


def _timer_views(tasks) -> list[WaitingTimer]:
    timers = []
    for task in tasks:
        definition = getattr(task.task_spec, "event_definition", None)
        if not isinstance(definition, ClockTimeDateEventDefinition):
            continue
        match = _POLICY.search(definition.expression or "")
        attached = _attached_task_name(task)
        timers.append(
            WaitingTimer(
                task_id=str(task.id),
                name=task.task_spec.bpmn_id,
                title=task.task_spec.bpmn_name or task.task_spec.bpmn_id,
                due_at=task._get_internal_data("event_value"),
                policy=match.group(1) if match else None,
                attached_to=attached,
            )
        )
    return timers


def _attached_task_name(task) -> str | None:
    parent = task.parent
    if parent is None or type(parent.task_spec).__name__ != "BoundaryEventSplit":
        return None
    for sibling in parent.children:
        if getattr(sibling.task_spec, "event_definition", None) is None:
            return sibling.task_spec.bpmn_id
    return None


def fire_timer(workflow: BpmnWorkflow, task_id: str) -> bool:
    """Mark a waiting timer fired and advance the workflow. False if it is no longer waiting."""
    try:
        task = _find(workflow, task_id)
    except NotFound:
        return False
    if task.state != TaskState.WAITING:
        return False
    task._set_internal_data(**{FIRED_FLAG: True})
    _guarded(workflow.refresh_timers)
    _guarded(workflow.do_engine_steps)
    return True


def thrown_messages(workflow: BpmnWorkflow) -> list[ThrownMessage]:
    """Drain the messages thrown and not caught inside the workflow."""
    messages = []
    for event in workflow.get_events():
        definition = event.event_definition
        if isinstance(definition, MessageEventDefinition):
            messages.append(ThrownMessage(definition.name, event.payload))
    return messages


def is_completed(workflow: BpmnWorkflow) -> bool:
    """True when the workflow has finished."""
    return workflow.is_completed()


def reached_end_events(workflow: BpmnWorkflow) -> list[str]:
    """Ids of the end events the workflow has reached, in the order they completed."""
    ends = [t for t in workflow.get_tasks(state=TaskState.COMPLETED) if type(t.task_spec).__name__ == "EndEvent"]
    ends.sort(key=lambda t: t.last_state_change)
    return [t.task_spec.bpmn_id for t in ends]


def workflow_data(workflow: BpmnWorkflow) -> dict[str, Any]:
    """The data of the most recently completed task: the case's current workflow variables."""
    return _merged_data(workflow.get_tasks(state=TaskState.COMPLETED),
                        workflow.get_tasks(state=TaskState.READY | TaskState.WAITING))


def _merged_data(completed, live) -> dict[str, Any]:
    latest = None
    for task in completed:
        if latest is None or task.last_state_change > latest.last_state_change:
            latest = task
    merged: dict[str, Any] = {}
    for task in live:
        merged.update(task.data)
    if latest is not None:
        merged.update(latest.data)
    return merged


def now_of(engine: ProbidadScriptEngine) -> datetime:
    """The instant the script engine considers 'now'."""
    return engine.now()
