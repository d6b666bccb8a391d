"""BPMN validation that reports every problem with its element id (never executes anything).

Checks: XML safety; SpiffWorkflow parsing; structure (a start event, every node reaches an end,
no dangling flows, exclusive gateways with conditions and a default); the sandbox rules on every
condition, script, timer and payload; probidad rules (lanes are known roles, user tasks have a
known form, timers call `sla_due` with a known policy, names used come from the allow-list).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from engine.errors import InvalidBpmn, Problem
from engine.workflow import sandbox
from engine.workflow.parser import executable_process_ids, parse_bpmn
from engine.workflow.xml_safety import safe_parse

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
}
_SLA_CALL = re.compile(r"""^\s*sla_due\(\s*["']([\w.\-]+)["']\s*(,\s*start\s*=\s*[A-Za-z]\w*\s*)?\)\s*$""")
HELPERS = frozenset({"sla_due", "now_iso", "today"})


@dataclass(frozen=True)
class ValidationContext:
    """What the probidad rules check against. Empty sets switch a rule off (plain BPMN linting)."""

    roles: frozenset[str] = frozenset()
    forms: dict[str, frozenset[str]] = field(default_factory=dict)
    policies: frozenset[str] = frozenset()
    data_keys: dict[str, frozenset[str]] = field(default_factory=dict)


def validate_bpmn(xml: bytes, filename: str, ctx: ValidationContext | None = None) -> list[Problem]:
    """Return every problem found in a BPMN document (empty when it may be deployed)."""
    ctx = ctx or ValidationContext()
    try:
        root = safe_parse(xml, filename)
    except InvalidBpmn as exc:
        return exc.problems
    problems: list[Problem] = []
    try:
        parse_bpmn(xml, filename)
    except InvalidBpmn as exc:
        problems.extend(exc.problems)
    if not executable_process_ids(root):
        return problems or [Problem(filename, None, "no executable process found")]
    for process in root.xpath("//bpmn:process", namespaces=NS):
        problems.extend(_structure(process, filename))
        problems.extend(_expressions(process, filename, ctx))
        problems.extend(_probidad_rules(process, filename, ctx))
    return _dedupe(problems)


def _dedupe(problems: Iterable[Problem]) -> list[Problem]:
    seen, result = set(), []
    for problem in problems:
        key = (problem.element_id, problem.message)
        if key not in seen:
            seen.add(key)
            result.append(problem)
    return result


def _local(node) -> str:
    return node.tag.split("}", 1)[-1] if isinstance(node.tag, str) else ""


_FLOW_NODES = {
    "startEvent", "endEvent", "userTask", "task", "manualTask", "scriptTask", "serviceTask", "sendTask",
    "receiveTask", "businessRuleTask", "exclusiveGateway", "parallelGateway", "inclusiveGateway",
    "eventBasedGateway", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
    "subProcess", "callActivity", "transaction",
}


def _structure(process, filename: str) -> list[Problem]:
    nodes = {n.get("id"): n for n in process if _local(n) in _FLOW_NODES}
    flows = [f for f in process if _local(f) == "sequenceFlow"]
    problems: list[Problem] = []
    if not any(_local(n) == "startEvent" for n in nodes.values()):
        problems.append(Problem(filename, process.get("id"), "the process has no start event"))
    outgoing: dict[str, list] = {nid: [] for nid in nodes}
    for flow in flows:
        src, dst = flow.get("sourceRef"), flow.get("targetRef")
        if src not in nodes or dst not in nodes:
            problems.append(Problem(filename, flow.get("id"), "sequence flow connects a missing element"))
            continue
        outgoing[src].append(flow)
    problems.extend(_reachability(nodes, outgoing, filename))
    for nid, node in nodes.items():
        if _local(node) == "exclusiveGateway" and len(outgoing[nid]) > 1:
            problems.extend(_gateway_problems(node, outgoing[nid], filename))
        if _local(node) == "subProcess":
            problems.extend(_structure(node, filename))
    return problems


def _reachability(nodes: dict, outgoing: dict, filename: str) -> list[Problem]:
    problems = []
    for nid, node in nodes.items():
        kind = _local(node)
        if kind == "endEvent" or kind == "boundaryEvent" and outgoing[nid]:
            continue
        if not outgoing[nid] and kind not in {"endEvent"}:
            problems.append(Problem(filename, nid, f"{kind} '{node.get('name') or nid}' has no outgoing flow"))
    targets = {f.get("targetRef") for flows in outgoing.values() for f in flows}
    for nid, node in nodes.items():
        if _local(node) not in {"startEvent", "boundaryEvent"} and nid not in targets:
            problems.append(Problem(filename, nid, f"'{node.get('name') or nid}' cannot be reached"))
    return problems


def _gateway_problems(gateway, flows: list, filename: str) -> list[Problem]:
    default = gateway.get("default")
    problems = []
    if not default:
        problems.append(Problem(filename, gateway.get("id"), "exclusive gateway needs a default flow"))
    for flow in flows:
        has_condition = flow.find("bpmn:conditionExpression", NS) is not None
        if flow.get("id") != default and not has_condition:
            problems.append(Problem(filename, flow.get("id"), "flow leaving a gateway needs a condition"))
    return problems


def _expression_nodes(process) -> Iterable[tuple[str, str, str]]:
    """(element id, mode, source) for every condition, script, timer and payload."""
    for cond in process.iter("{%s}conditionExpression" % NS["bpmn"]):
        yield cond.getparent().get("id"), "eval", cond.text or ""
    for script in process.iter("{%s}script" % NS["bpmn"]):
        yield script.getparent().get("id"), "exec", script.text or ""
    for tag in ("timeDate", "timeDuration", "timeCycle"):
        for timer in process.iter("{%s}%s" % (NS["bpmn"], tag)):
            event = timer.getparent().getparent()
            yield event.get("id"), f"timer:{tag}", timer.text or ""
    root = process.getroottree().getroot()
    for payload in root.iter("{%s}messagePayload" % NS["spiffworkflow"]):
        owner = payload.getparent().getparent()
        yield owner.get("id"), "eval", payload.text or ""
    for tag in ("preScript", "postScript"):
        for script in process.iter("{%s}%s" % (NS["spiffworkflow"], tag)):
            yield script.getparent().getparent().get("id"), "exec", script.text or ""


def _expressions(process, filename: str, ctx: ValidationContext) -> list[Problem]:
    problems = []
    allowed = ctx.data_keys.get(process.get("id"))
    for element_id, mode, source in _expression_nodes(process):
        if mode.startswith("timer:"):
            problems.extend(_timer_problems(element_id, mode, source, filename, ctx))
            continue
        for reason in sandbox.check_source(source, mode):
            problems.append(Problem(filename, element_id, f"forbidden expression: {reason}"))
        if allowed is not None:
            problems.extend(_name_problems(element_id, mode, source, filename, allowed))
    return problems


def _timer_problems(element_id, mode, source, filename, ctx: ValidationContext) -> list[Problem]:
    if mode != "timer:timeDate":
        return [Problem(filename, element_id, "timers must use a timeDate calling sla_due(\"policy\")")]
    match = _SLA_CALL.match(source)
    if not match:
        return [Problem(filename, element_id, "timer must call sla_due(\"policy.id\") (optionally start=name)")]
    if ctx.policies and match.group(1) not in ctx.policies:
        return [Problem(filename, element_id, f"unknown SLA policy '{match.group(1)}'")]
    return []


def _name_problems(element_id, mode, source, filename, allowed: frozenset[str]) -> list[Problem]:
    try:
        tree = ast.parse(source, mode=mode)
    except SyntaxError:
        return []
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    bound = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    comprehension = {t.id for c in ast.walk(tree) if isinstance(c, ast.comprehension)
                     for t in ast.walk(c.target) if isinstance(t, ast.Name)}
    unknown = names - allowed - HELPERS - set(sandbox.SAFE_BUILTINS) - (comprehension - bound)
    return [Problem(filename, element_id, f"'{name}' is not in the process's task-data allow-list")
            for name in sorted(unknown)]


def _probidad_rules(process, filename: str, ctx: ValidationContext) -> list[Problem]:
    problems = []
    lanes = {}
    for lane in process.iter("{%s}lane" % NS["bpmn"]):
        if ctx.roles and lane.get("name") not in ctx.roles:
            problems.append(Problem(filename, lane.get("id"), f"lane '{lane.get('name')}' is not a known role"))
        for ref in lane.findall("bpmn:flowNodeRef", NS):
            lanes[(ref.text or "").strip()] = lane.get("name")
    known_forms = ctx.forms.get(process.get("id"))
    if ctx.forms and known_forms is None and any(True for _ in process.iter("{%s}userTask" % NS["bpmn"])):
        problems.append(Problem(filename, process.get("id"), "no workflow definition for this process: its "
                                "user tasks have no known forms and no task data is allowed", "warning"))
    for task in process.iter("{%s}userTask" % NS["bpmn"]):
        tid = task.get("id")
        if ctx.roles and tid not in lanes:
            problems.append(Problem(filename, tid, "user task is not in a lane (a lane is a role)"))
        prop = task.find(".//spiffworkflow:property[@name='formId']", NS)
        form = prop.get("value") if prop is not None else tid
        if known_forms is not None and form not in known_forms:
            problems.append(Problem(filename, tid, f"unknown form '{form}'"))
    return problems
