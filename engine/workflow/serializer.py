"""Serializing workflow state compactly: the spec is stored once per deployed version, not per case.

The state blob is JSON without the process spec (which is restored from the parsed, cached
bundle), compressed with zlib. The serializer version is recorded in the blob so a later release
can migrate it.
"""

from __future__ import annotations

import json
import zlib
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.serializer.default.event_definition import TimerConditionalEventDefinitionConverter
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from engine.errors import StoreError
from engine.workflow.parser import ProcessBundle
from engine.workflow.timers import ClockTimeDateEventDefinition

FORMAT = "probidad-state/1"
_SERIALIZER: BpmnWorkflowSerializer | None = None


class _StateConverter(BpmnWorkflowConverter):
    """The top-level workflow without its specs (issue 10): they come from the parsed bundle cached by
    sha256, instead of being converted to dicts and back on every step (most of a step's cost)."""

    def to_dict(self, workflow):
        """The workflow's instance state only: tasks, data, subprocesses and events."""
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct, bundle: ProcessBundle | None = None):
        """Restore on the bundle's (shared, read-only) specs; a dict that carries its specs as before."""
        if bundle is None or "spec" in dct:
            return super().from_dict(dct)
        workflow = self.target_class(bundle.spec, bundle.subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _serializer() -> BpmnWorkflowSerializer:
    global _SERIALIZER  # noqa: PLW0603 - built lazily once, never at import time
    if _SERIALIZER is None:
        config = dict(SPIFF_CONFIG)
        config[ClockTimeDateEventDefinition] = TimerConditionalEventDefinitionConverter
        config[BpmnWorkflow] = _StateConverter
        _SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))
    return _SERIALIZER


def serializer_version() -> str:
    """The SpiffWorkflow serializer version recorded in every state blob."""
    return _serializer().VERSION


def _spec_dicts(bundle: ProcessBundle) -> dict[str, Any]:
    if not bundle.spec_dicts:
        ser = _serializer()
        bundle.spec_dicts = {
            "spec": ser.to_dict(bundle.spec),
            "subprocess_specs": {k: ser.to_dict(v) for k, v in bundle.subprocess_specs.items()},
        }
    return bundle.spec_dicts


def dump_state(workflow: BpmnWorkflow) -> bytes:
    """Serialize a workflow without its spec, as compressed JSON bytes."""
    ser = _serializer()
    ser.registry._encoder_mode = True
    try:
        dct = ser.to_dict(workflow)
    finally:
        ser.registry._encoder_mode = False
    dct.pop("spec", None)
    dct.pop("subprocess_specs", None)
    envelope = {"format": FORMAT, "serializer_version": ser.VERSION, "workflow": dct}
    text = json.dumps(envelope, cls=ser._encoder_cls, separators=(",", ":"))
    return zlib.compress(text.encode("utf-8"), 1)  # level 1: most of the size gain at a fraction of the time


def load_state(blob: bytes, bundle: ProcessBundle) -> BpmnWorkflow:
    """Restore a workflow from `dump_state` bytes and its parsed bundle."""
    try:
        envelope = json.loads(zlib.decompress(blob))
    except (zlib.error, ValueError):
        raise StoreError("workflow state is unreadable") from None
    if envelope.get("format") != FORMAT:
        raise StoreError("workflow state has an unknown format")
    ser = _serializer()
    dct = envelope["workflow"]
    if envelope.get("serializer_version") == ser.VERSION:
        return ser.from_dict(dct, bundle=bundle)
    specs = _spec_dicts(bundle)
    dct["spec"] = json.loads(json.dumps(specs["spec"]))
    dct["subprocess_specs"] = json.loads(json.dumps(specs["subprocess_specs"]))
    dct[ser.VERSION_KEY] = envelope["serializer_version"]
    ser.migrate(dct)
    return ser.from_dict(dct)
