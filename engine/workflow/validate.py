"""BPMN validation that reports every problem with its element id (never executes anything).

Checks: XML safety; SpiffWorkflow parsing; structure (a start event, every node reaches an end,
no dangling flows, exclusive and inclusive gateways with conditions and a default); the sandbox
rules on every condition, script, timer, payload, loop and correlation expression; probidad rules
(lanes are known roles, user tasks have a known form, timers call `sla_due` with a known policy,
names used come from the allow-list, no service tasks, Python scripts only).

Third-party files (other modelers' exports, unknown extensions) never make it raise: anything
unexpected becomes a Problem.
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
_B = "{%s}" % NS["bpmn"]
_S = "{%s}" % NS["spiffworkflow"]
_SLA_CALL = re.compile(r"""^\s*sla_due\(\s*["']([\w.\-]+)["']\s*(?:,\s*start\s*=\s*([A-Za-z]\w*)\s*)?\)\s*$""")
HELPERS = frozenset({"sla_due", "now_iso", "today"})
_PYTHON_FORMATS = {"", "python", "text/python", "text/x-python", "python3"}


@dataclass(frozen=True)
class ValidationContext:
    """What the probidad rules check against. Empty collections switch a rule off (plain linting)."""

    roles: frozenset[str] = frozenset()
    forms: dict[str, frozenset[str]] = field(default_factory=dict)
    policies: frozenset[str] = frozenset()
    data_keys: dict[str, frozenset[str]] = field(default_factory=dict)


def validate_bpmn(xml: bytes, filename: str, ctx: ValidationContext | None = None) -> list[Problem]:
    """Return every problem found in a BPMN document (empty when it may be deployed). Never raises."""
    try:
        return _validate(xml, filename, ctx or ValidationContext())
    except InvalidBpmn as exc:
        return exc.problems
    except Exception as exc:  # noqa: BLE001 - third-party files must never crash the validator
        return [Problem(filename, None, f"the file could not be checked ({type(exc).__name__})")]


def _validate(xml: bytes, filename: str, ctx: ValidationContext) -> list[Problem]:
    root = safe_parse(xml, filename)
    if _local(root) != "definitions" or not root.tag.startswith(_B):
        return [Problem(filename, None, "not a BPMN 2.0 document (the root must be bpmn:definitions)")]
    processes = list(root.iter(_B + "process"))
    if not processes:
        return [Problem(filename, None, "no process found (choreographies and empty files cannot run)")]
    if not executable_process_ids(root):
        return [Problem(filename, None, "no executable process found (set isExecutable=\"true\")")]
    problems: list[Problem] = []
    try:
        parse_bpmn(xml, filename)
    except InvalidBpmn as exc:
        problems.extend(exc.problems)
    for process in processes:
        problems.extend(_structure(process, filename))
        problems.extend(_expressions(process, filename, ctx))
        problems.extend(_probidad_rules(process, filename, ctx))
        problems.extend(_unsupported(process, filename))
    problems.extend(_payload_problems(root, filename, processes, ctx))
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


_CONTAINERS = {"subProcess", "transaction", "adHocSubProcess"}
_FLOW_NODES = {
    "startEvent", "endEvent", "userTask", "task", "manualTask", "scriptTask", "serviceTask", "sendTask",
    "receiveTask", "businessRuleTask", "exclusiveGateway", "parallelGateway", "inclusiveGateway",
    "eventBasedGateway", "complexGateway", "intermediateCatchEvent", "intermediateThrowEvent",
    "boundaryEvent", "callActivity",
} | _CONTAINERS


def _structure(process, filename: str) -> list[Problem]:
    nodes = {n.get("id"): n for n in process if _local(n) in _FLOW_NODES and n.tag.startswith(_B)}
    flows = [f for f in process if _local(f) == "sequenceFlow"]
    problems: list[Problem] = []
    if not any(_local(n) == "startEvent" for n in nodes.values()):
        problems.append(Problem(filename, process.get("id"), "the process has no start event"))
    outgoing: dict[str | None, list] = {nid: [] for nid in nodes}
    for flow in flows:
        src, dst = flow.get("sourceRef"), flow.get("targetRef")
        if src not in nodes or dst not in nodes:
            problems.append(Problem(filename, flow.get("id"), "sequence flow connects a missing element"))
            continue
        outgoing[src].append(flow)
    problems.extend(_reachability(nodes, outgoing, filename))
    problems.extend(_busy_loops(nodes, outgoing, filename))
    for nid, node in nodes.items():
        kind = _local(node)
        if kind in {"exclusiveGateway", "inclusiveGateway"} and len(outgoing[nid]) > 1:
            problems.extend(_gateway_problems(node, outgoing[nid], filename))
        if kind in _CONTAINERS:
            problems.extend(_structure(node, filename))
    return problems


def _is_event_subprocess(node) -> bool:
    return _local(node) in _CONTAINERS and (node.get("triggeredByEvent") or "").lower() == "true"


def _reachability(nodes: dict, outgoing: dict, filename: str) -> list[Problem]:
    problems = []
    for nid, node in nodes.items():
        kind = _local(node)
        if kind == "endEvent" or _is_event_subprocess(node) or kind == "boundaryEvent" and outgoing[nid]:
            continue
        if not outgoing[nid]:
            problems.append(Problem(filename, nid, f"{kind} '{node.get('name') or nid}' has no outgoing flow"))
    targets = {f.get("targetRef") for flows in outgoing.values() for f in flows}
    for nid, node in nodes.items():
        if _local(node) in {"startEvent", "boundaryEvent"} or _is_event_subprocess(node):
            continue
        if nid not in targets:
            problems.append(Problem(filename, nid, f"'{node.get('name') or nid}' cannot be reached"))
    return problems


_WAITS = {"userTask", "manualTask", "receiveTask", "intermediateCatchEvent", "eventBasedGateway",
          "callActivity"} | _CONTAINERS


def _busy_loops(nodes: dict, outgoing: dict, filename: str) -> list[Problem]:
    """A cycle of flows that never waits for a person, a message or a timer would run forever."""
    busy = {nid for nid, node in nodes.items() if _local(node) not in _WAITS}
    problems = []
    reported: set = set()
    for start in sorted(busy - {None}):
        if start in reported:
            continue
        seen, frontier = set(), [start]
        while frontier:
            current = frontier.pop()
            for flow in outgoing.get(current, []):
                target = flow.get("targetRef")
                if target == start:
                    reported |= seen | {start}
                    problems.append(Problem(filename, start, f"'{nodes[start].get('name') or start}' is on a loop "
                                            "that never waits for a person or a timer: it could run forever"))
                    frontier = []
                    break
                if target in busy and target not in seen:
                    seen.add(target)
                    frontier.append(target)
    return problems


def _gateway_problems(gateway, flows: list, filename: str) -> list[Problem]:
    default = gateway.get("default")
    problems = []
    if not default and _local(gateway) == "exclusiveGateway":
        problems.append(Problem(filename, gateway.get("id"), "exclusive gateway needs a default flow"))
    for flow in flows:
        has_condition = flow.find("bpmn:conditionExpression", NS) is not None
        if flow.get("id") != default and not has_condition:
            problems.append(Problem(filename, flow.get("id"), "flow leaving a gateway needs a condition"))
    return problems


def _owner(node) -> str | None:
    """The id of the nearest BPMN element around an expression (what the designer highlights)."""
    current = node.getparent()
    while current is not None:
        if current.get("id") and _local(current) not in {"timerEventDefinition", "conditionalEventDefinition",
                                                           "multiInstanceLoopCharacteristics"}:
            return current.get("id")
        current = current.getparent()
    return None


_EVAL_TAGS = ("conditionExpression", "condition", "loopCardinality", "completionCondition")


def _expression_nodes(process) -> Iterable[tuple[str | None, str, str]]:
    """(element id, mode, source) for every condition, script, timer and loop expression."""
    for tag in _EVAL_TAGS:
        for node in process.iter(_B + tag):
            yield _owner(node), "eval", node.text or ""
    for script in process.iter(_B + "script"):
        yield _owner(script), "exec", script.text or ""
    for tag in ("timeDate", "timeDuration", "timeCycle"):
        for timer in process.iter(_B + tag):
            yield _owner(timer), f"timer:{tag}", timer.text or ""
    for tag in ("preScript", "postScript"):
        for script in process.iter(_S + tag):
            yield _owner(script), "exec", script.text or ""


def _expressions(process, filename: str, ctx: ValidationContext) -> list[Problem]:
    problems = []
    allowed = ctx.data_keys.get(process.get("id"))
    for element_id, mode, source in _expression_nodes(process):
        if mode.startswith("timer:"):
            problems.extend(_timer_problems(element_id, mode, source, filename, ctx, allowed))
            continue
        problems.extend(_source_problems(element_id, mode, source, filename, allowed))
    return problems


def _source_problems(element_id, mode, source, filename, allowed) -> list[Problem]:
    problems = [Problem(filename, element_id, f"forbidden expression: {reason}")
                for reason in sandbox.check_source(source, mode)]
    if allowed is not None and not problems:
        problems.extend(_name_problems(element_id, mode, source, filename, allowed))
    return problems


def _payload_problems(root, filename: str, processes: list, ctx: ValidationContext) -> list[Problem]:
    """Message payloads and correlation expressions live outside processes; check them once."""
    allowed: frozenset[str] | None = None
    known = [ctx.data_keys[p.get("id")] for p in processes if p.get("id") in ctx.data_keys]
    if known:
        allowed = frozenset().union(*known)
    problems = []
    for payload in root.iter(_S + "messagePayload"):
        problems.extend(_source_problems(_owner(payload), "eval", payload.text or "", filename, allowed))
    for tag in ("messagePath", "formalExpression"):
        for node in root.iter(_B + tag):
            if _local(node.getparent()) == "correlationPropertyRetrievalExpression":
                problems.extend(_source_problems(_owner(node), "eval", node.text or "", filename, None))
    return problems


def _timer_problems(element_id, mode, source, filename, ctx: ValidationContext, allowed) -> list[Problem]:
    if mode != "timer:timeDate":
        return [Problem(filename, element_id, "timers must use a timeDate calling sla_due(\"policy\")")]
    match = _SLA_CALL.match(source)
    if not match:
        return [Problem(filename, element_id, "timer must call sla_due(\"policy.id\") (optionally start=name)")]
    if ctx.policies and match.group(1) not in ctx.policies:
        return [Problem(filename, element_id, f"unknown SLA policy '{match.group(1)}'")]
    start = match.group(2)
    if start and allowed is not None and start not in allowed:
        return [Problem(filename, element_id, f"'{start}' is not in the process's task-data allow-list")]
    return []


def _name_problems(element_id, mode, source, filename, allowed: frozenset[str]) -> list[Problem]:
    try:
        tree = ast.parse(source, mode=mode)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    bound = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    comprehension = {t.id for c in ast.walk(tree) if isinstance(c, ast.comprehension)
                     for t in ast.walk(c.target) if isinstance(t, ast.Name)}
    unknown = names - allowed - HELPERS - set(sandbox.SAFE_BUILTINS) - (comprehension - bound)
    return [Problem(filename, element_id, f"'{name}' is not in the process's task-data allow-list")
            for name in sorted(unknown)]


def _lanes(process, filename: str, ctx: ValidationContext) -> tuple[dict[str, str | None], list[Problem]]:
    problems, lanes = [], {}
    for lane in process.iter(_B + "lane"):
        if ctx.roles and lane.get("name") not in ctx.roles:
            problems.append(Problem(filename, lane.get("id"), f"lane '{lane.get('name')}' is not a known role"))
        for ref in lane.findall("bpmn:flowNodeRef", NS):
            lanes[(ref.text or "").strip()] = lane.get("name")
    return lanes, problems


def _probidad_rules(process, filename: str, ctx: ValidationContext) -> list[Problem]:
    lanes, problems = _lanes(process, filename, ctx)
    known_forms = ctx.forms.get(process.get("id"))
    if ctx.forms and known_forms is None and any(True for _ in process.iter(_B + "userTask")):
        problems.append(Problem(filename, process.get("id"), "no workflow definition for this process: its "
                                "user tasks have no known forms and no task data is allowed", "warning"))
    for task in process.iter(_B + "userTask"):
        tid = task.get("id")
        if ctx.roles and tid not in lanes:
            problems.append(Problem(filename, tid, "user task is not in a lane (a lane is a role)"))
        prop = task.find(".//spiffworkflow:property[@name='formId']", NS)
        form = prop.get("value") if prop is not None else tid
        if known_forms and form not in known_forms:
            problems.append(Problem(filename, tid, f"unknown form '{form}'"))
    return problems


def _unsupported(process, filename: str) -> list[Problem]:
    problems = []
    for task in process.iter(_B + "serviceTask"):
        problems.append(Problem(filename, task.get("id"), "service tasks are not supported (no calls out of "
                                "the engine)"))
    for task in process.iter(_B + "scriptTask"):
        script_format = (task.get("scriptFormat") or "").strip().lower()
        if script_format not in _PYTHON_FORMATS:
            problems.append(Problem(filename, task.get("id"), f"script format '{script_format[:40]}' is not "
                                    "supported (only sandboxed Python)"))
    return problems
