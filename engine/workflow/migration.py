"""Moving a running workflow to a new version of its spec, when SpiffWorkflow can map its state.

SpiffWorkflow aligns the old and new specs by BPMN id (and by structure for renamed elements,
`SpiffWorkflow.bpmn.util.diff`). probidad migrates a workflow only when every task that holds
state (ready, waiting, started or already completed) has a counterpart in the new version; tasks
that are only predicted are dropped and re-predicted from the new spec as the case moves on.
Waiting timers keep their computed due instants: running deadlines never move. The result is
round-tripped through the serializer with the new spec before it is accepted.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.util.diff import diff_workflow
from SpiffWorkflow.util.task import TaskState

from engine.errors import Conflict
from engine.workflow import serializer
from engine.workflow.parser import ProcessBundle

_PREDICTED = TaskState.PREDICTED_MASK | TaskState.FUTURE


class CannotMigrate(Conflict):
    """The case's state cannot be mapped onto the new version (the reason says why)."""


def _name(task: Any) -> str:
    return getattr(task.task_spec, "bpmn_id", None) or task.task_spec.name


def _drop(workflow: Any, task: Any) -> None:
    """Remove a task that is only predicted (and its descendants) from the tree."""
    if task.parent is not None and task.id in workflow.tasks:
        workflow._remove_task(task.id)


def _repredict(workflow: Any) -> None:
    """Replace the predictions below ready and waiting tasks with the new spec's (as SpiffWorkflow does)."""
    live = [t for t in workflow.tasks.values() if t.has_state(TaskState.READY | TaskState.WAITING | TaskState.STARTED)]
    for task in live:
        for child in [c for c in task.children if c is not None and c.has_state(_PREDICTED)]:
            _drop(workflow, child)
        if task.has_state(TaskState.WAITING):
            task._sync_children(task.task_spec.outputs, TaskState.MAYBE)
        else:
            task.task_spec._predict_hook(task)
        for child in [c for c in task.children if c is not None]:
            child.task_spec._predict(child, mask=_PREDICTED)


def _apply(workflow: Any, diff: Any, spec: Any) -> list[str]:
    """Point every aligned task at its new spec; return the reasons the state cannot be mapped."""
    reasons = []
    for task in diff.removed:
        if task.id not in workflow.tasks:
            continue
        if task.state & _PREDICTED:
            _drop(workflow, task)
        elif task.state & (TaskState.READY | TaskState.WAITING | TaskState.STARTED):
            reasons.append(f"'{_name(task)}' is {TaskState.get_name(task.state).lower()} and does not exist "
                           "in the new version")
        else:
            reasons.append(f"the case already passed '{_name(task)}', which the new version removed")
    workflow.spec = spec
    for task, new_spec in diff.alignment.items():
        if new_spec is not None and task.id in workflow.tasks:
            task.task_spec = new_spec
    return reasons


def migrate(workflow: Any, bundle: ProcessBundle) -> Any:
    """Return the workflow restored on the new bundle's spec, or raise CannotMigrate with every reason."""
    registry = serializer._serializer().registry
    top_diff, sub_diffs = diff_workflow(registry, workflow, bundle.spec, bundle.subprocess_specs)
    reasons = _apply(workflow, top_diff, bundle.spec)
    for sub_id, sub in workflow.subprocesses.items():
        sub_diff = sub_diffs.get(sub_id)
        new_spec = bundle.subprocess_specs.get(sub.spec.name)
        if sub_diff is None or new_spec is None:
            reasons.append(f"the subprocess '{sub.spec.name}' does not exist in the new version")
            continue
        reasons.extend(_apply(sub, sub_diff, new_spec))
    if reasons:
        raise CannotMigrate("; ".join(sorted(set(reasons))))
    workflow.subprocess_specs = bundle.subprocess_specs
    _repredict(workflow)
    for sub in workflow.subprocesses.values():
        _repredict(sub)
    try:
        return serializer.load_state(serializer.dump_state(workflow), bundle)
    except Exception as exc:  # noqa: BLE001 - any failure to restore means the state does not map
        raise CannotMigrate(f"the case's state cannot be restored on the new version ({type(exc).__name__})") from None
