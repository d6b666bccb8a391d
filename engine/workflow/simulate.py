"""Reading a running workflow for the designer: which BPMN elements it has passed, in order.

Used by the dry run (engine.services.dryrun) and case migration; kept here because only
engine.workflow touches SpiffWorkflow's task tree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.util.task import TaskState

_TYPES = {"SubWorkflowTask": "subProcess", "NoneTask": "task", "CallActivity": "callActivity"}


@dataclass(frozen=True)
class PassedElement:
    """A BPMN element the workflow completed."""

    element_id: str
    name: str
    type: str


def bpmn_type(spec: Any) -> str:
    """The BPMN tag of a task spec (`userTask`, `exclusiveGateway`...)."""
    name = type(spec).__name__
    if name in _TYPES:
        return _TYPES[name]
    return name[:1].lower() + name[1:]


def newly_completed(workflow: Any, seen: set) -> list[PassedElement]:
    """BPMN elements completed since the last call (ids of tasks already reported are in `seen`)."""
    fresh = []
    for index, task in enumerate(workflow.get_tasks(state=TaskState.COMPLETED)):
        spec = task.task_spec
        if task.id in seen or not getattr(spec, "bpmn_id", None):
            continue
        seen.add(task.id)
        fresh.append((task.last_state_change, index, spec))
    fresh.sort(key=lambda item: (item[0], item[1]))
    return [PassedElement(s.bpmn_id, s.bpmn_name or s.bpmn_id, bpmn_type(s)) for _, _, s in fresh]


def waiting_elements(workflow: Any) -> list[str]:
    """BPMN ids of tasks waiting for something other than a timer (messages, signals...)."""
    return sorted({t.task_spec.bpmn_id for t in workflow.get_tasks(state=TaskState.WAITING)
                   if getattr(t.task_spec, "bpmn_id", None)})


def user_task_ids(bundle: Any) -> set[str]:
    """Ids of the user tasks of a parsed process and its subprocesses."""
    specs = [bundle.spec, *bundle.subprocess_specs.values()]
    return {s.bpmn_id for spec in specs for s in spec.task_specs.values()
            if getattr(s, "manual", False) and getattr(s, "bpmn_id", None)}
