"""The floor: the complaint's BPMN in raw SpiffWorkflow, in memory, one JSON serialization per step.

No database, no keys, no inbox rows, no timer table, no audit: only what SpiffWorkflow itself does. The
same parsed spec (one parse, like probidad's spec cache) and, by default, the same sandboxed script engine
as probidad, so the difference measures persistence, sealing and bookkeeping. `default_engine=True`
uses SpiffWorkflow's own PythonScriptEngine (bare eval/exec, no sandbox) for comparison.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.bpmn.serializer.default.event_definition import TimerConditionalEventDefinitionConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

from bench.common import INTAKE, PATH
from engine.services.context import TenantRules, script_engine
from engine.workflow import serializer as probidad_serializer
from engine.workflow.parser import parse_bpmn
from engine.workflow.timers import ClockTimeDateEventDefinition
from workflows.base import BPMN_DIR


class _ClockEngine(PythonScriptEngine):
    """SpiffWorkflow's default script engine plus the helpers and `now` the complaint's BPMN uses."""

    def __init__(self, helpers: dict[str, Callable[..., Any]], now: Callable[[], Any]):
        super().__init__(environment=TaskDataEnvironment(dict(helpers)))
        self.now = now


def standard_serializer() -> BpmnWorkflowSerializer:
    """SpiffWorkflow's own serializer (Spiff config plus the clock timer's converter): specs included."""
    config = dict(SPIFF_CONFIG)
    config[ClockTimeDateEventDefinition] = TimerConditionalEventDefinitionConverter
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


class RawComplaint:
    """Runs complaints on a spec parsed once; `state_only` serializes without the spec, like probidad."""

    def __init__(self, rt, default_engine: bool = False, state_only: bool = False):
        xml = (BPMN_DIR / "denuncia.bpmn").read_bytes()
        self.bundle = parse_bpmn(xml, "denuncia.bpmn")["denuncia"]
        rules = TenantRules(rt.calendar_factory([]), rt.policies)
        self.new_engine = (lambda: _ClockEngine(script_engine(rt, rules).environment.helpers, rt.now)) \
            if default_engine else (lambda: script_engine(rt, rules))
        self.serializer = probidad_serializer._serializer() if state_only else standard_serializer()
        self.state_only = state_only
        self.bytes_written = 0

    def _save(self, workflow: BpmnWorkflow) -> None:
        if self.state_only:  # the instance state only, encoded the way probidad encodes it (no spec)
            registry = self.serializer.registry
            registry._encoder_mode = True
            try:
                dct = self.serializer.to_dict(workflow)
            finally:
                registry._encoder_mode = False
            text = json.dumps(dct, cls=self.serializer._encoder_cls, separators=(",", ":"))
        else:  # serialize_json: the standard SpiffWorkflow way to persist a workflow (spec included)
            text = self.serializer.serialize_json(workflow)
        self.bytes_written += len(text)

    def run(self) -> BpmnWorkflow:
        """One complaint from intake to closure; returns the finished workflow."""
        # A fresh script engine per step, as probidad builds one per command (its run budget is per step).
        workflow = BpmnWorkflow(self.bundle.spec, self.bundle.subprocess_specs, script_engine=self.new_engine())
        for task in workflow.get_tasks(state=TaskState.READY):
            task.data.update(INTAKE)
        workflow.do_engine_steps()
        self._save(workflow)
        for name, data in PATH:
            task = next(t for t in workflow.get_tasks(state=TaskState.READY, manual=True)
                        if t.task_spec.bpmn_id == name)
            workflow.script_engine = self.new_engine()
            task.data.update(data)
            task.run()
            workflow.do_engine_steps()
            self._save(workflow)
        if not workflow.is_completed():
            raise RuntimeError("bench: the raw complaint did not finish")
        return workflow
