"""The designer-relevant facts of each BPMN element, read from (safely parsed) XML.

For every flow node and sequence flow of a process: its type, name, lane (role), form, condition,
timer expression, source and target; for every message, its payload expression (so that a
modeler that drops an extension it does not know shows up in the diff). The diff between two versions compares these.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from engine.errors import InvalidBpmn, Problem
from engine.workflow.xml_safety import safe_parse

_B = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
_S = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"
_POLICY = re.compile(r"""sla_due\(\s*["']([\w.\-]+)["']""")
_SKIP = {"laneSet", "lane", "flowNodeRef", "incoming", "outgoing", "documentation", "extensionElements",
         "ioSpecification", "dataInputAssociation", "dataOutputAssociation", "property", "textAnnotation",
         "association", "dataObject", "dataObjectReference", "dataStoreReference", "childLaneSet"}


@dataclass(frozen=True)
class ElementInfo:
    """What the designer shows about one element."""

    element_id: str
    type: str
    name: str | None
    lane: str | None = None
    form: str | None = None
    condition: str | None = None
    timer: str | None = None
    source: str | None = None
    target: str | None = None
    payload: str | None = None

    @property
    def policy(self) -> str | None:
        """The SLA policy its timer uses, if any."""
        match = _POLICY.search(self.timer or "")
        return match.group(1) if match else None


def _local(node) -> str:
    return node.tag.split("}", 1)[-1] if isinstance(node.tag, str) else ""


def main_process(root):
    """The executable process of a document, else its first process (None when there is none)."""
    processes = list(root.iter(_B + "process"))
    for process in processes:
        if (process.get("isExecutable") or "true").lower() == "true":
            return process
    return processes[0] if processes else None


def process_elements(xml: bytes, filename: str = "<bpmn>") -> tuple[str, dict[str, ElementInfo]]:
    """(process id, {element id: ElementInfo}) of the document's main process."""
    root = safe_parse(xml, filename)
    process = main_process(root)
    if process is None or not process.get("id"):
        raise InvalidBpmn([Problem(filename, None, "no process found")])
    lanes = {}
    for lane in process.iter(_B + "lane"):
        for ref in lane.iter(_B + "flowNodeRef"):
            lanes[(ref.text or "").strip()] = lane.get("name")
    elements = {}
    for node in process.iterdescendants():
        kind = _local(node)
        if not node.tag.startswith(_B) or kind in _SKIP or not node.get("id"):
            continue
        if node.getparent() is not process and _local(node.getparent()) not in {"subProcess", "transaction",
                                                                                  "adHocSubProcess"}:
            continue
        elements[node.get("id")] = _info(node, kind, lanes)
    for message in root.iter(_B + "message"):
        if message.get("id"):
            payload = next((p.text or "" for p in message.iter(_S + "messagePayload")), None)
            elements[message.get("id")] = ElementInfo(message.get("id"), "message", message.get("name"),
                                                      payload=payload.strip() if payload is not None else None)
    return process.get("id"), elements


def _info(node, kind: str, lanes: dict) -> ElementInfo:
    form = None
    if kind == "userTask":
        prop = next((p for p in node.iter(_S + "property") if p.get("name") == "formId"), None)
        form = prop.get("value") if prop is not None else node.get("id")
    condition = next((c.text or "" for c in node.iter(_B + "conditionExpression")), None)
    timer = None
    for tag in ("timeDate", "timeDuration", "timeCycle"):
        found = next(node.iter(_B + tag), None)
        if found is not None:
            timer = (found.text or "").strip()
            break
    return ElementInfo(node.get("id"), kind, node.get("name"), lanes.get(node.get("id")), form,
                       condition.strip() if condition is not None else None, timer,
                       node.get("sourceRef"), node.get("targetRef"))
