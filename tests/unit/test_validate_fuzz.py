"""Random mutations of the bundled BPMN files: no exception ever escapes validate_bpmn."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from engine.errors import Problem
from engine.workflow.validate import validate_bpmn
from tests.unit.test_validate_thirdparty import full_context

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted((ROOT / "bpmn").glob("*.bpmn")) + sorted((ROOT / "tests" / "fixtures").glob("*.bpmn"))
TREES = {p.name: p.read_bytes() for p in SOURCES}
CTX = full_context()
GARBAGE = st.sampled_from(["", " ", "x", "__import__('os')", "sla_due(", "1/0", "&amp;", "\u202e", "0" * 50,
                           "missing_ref", "true", "None", "é", "<", "sla_due(\"nope\")", "[0]*10**9"])

mutation = st.tuples(
    st.sampled_from(["delete", "duplicate", "garble_attr", "drop_attr", "garble_text", "retag", "move"]),
    st.integers(min_value=0, max_value=10**6),
    st.integers(min_value=0, max_value=10**6),
    GARBAGE,
)


def _mutate(xml: bytes, ops) -> bytes:  # noqa: C901 - one branch per mutation
    root = etree.fromstring(xml)
    for op, a, b, text in ops:
        nodes = [n for n in root.iter() if isinstance(n.tag, str)]
        node = nodes[a % len(nodes)]
        parent = node.getparent()
        if op == "delete" and parent is not None:
            parent.remove(node)
        elif op == "duplicate" and parent is not None:
            parent.append(etree.fromstring(etree.tostring(node)))
        elif op == "garble_attr" and node.attrib:
            key = sorted(node.attrib)[b % len(node.attrib)]
            node.set(key, text)
        elif op == "drop_attr" and node.attrib:
            del node.attrib[sorted(node.attrib)[b % len(node.attrib)]]
        elif op == "garble_text":
            node.text = text
        elif op == "retag":
            other = nodes[b % len(nodes)]
            node.tag = other.tag
        elif op == "move" and parent is not None:
            target = nodes[b % len(nodes)]
            if node not in target.iterancestors() and target is not node:
                target.append(node)
    return etree.tostring(root)


EXAMPLES = int(os.environ.get("PROBIDAD_FUZZ_EXAMPLES", "40"))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(TREES)), ops=st.lists(mutation, min_size=1, max_size=4),
       cut=st.one_of(st.none(), st.integers(min_value=0, max_value=10**6)))
def test_mutated_bundled_files_never_crash_the_validator(name, ops, cut):
    xml = _mutate(TREES[name], ops)
    if cut is not None:
        xml = xml[: cut % (len(xml) + 1)]
    problems = validate_bpmn(xml, name, CTX)
    assert isinstance(problems, list)
    for problem in problems:
        assert isinstance(problem, Problem) and problem.message
        assert not problem.message.startswith("the file could not be checked"), problem


def test_unmutated_bundled_files_are_valid():
    for name, xml in TREES.items():
        errors = [p for p in validate_bpmn(xml, name, CTX) if p.severity == "error"]
        assert errors == [], (name, errors)
