"""Parsing BPMN into SpiffWorkflow specs, safely, with parsed specs cached by sha256."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.defaults import BoundaryEvent, IntermediateCatchEvent, StartEvent
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from engine.errors import InvalidBpmn, Problem
from engine.workflow.timers import (
    ClockBoundaryEventParser,
    ClockIntermediateCatchEventParser,
    ClockStartEventParser,
)
from engine.workflow.xml_safety import safe_parse


class ProbidadParser(SpiffBpmnParser):
    """SpiffWorkflow's Spiff parser with clock-driven timers."""

    OVERRIDE_PARSER_CLASSES = dict(SpiffBpmnParser.OVERRIDE_PARSER_CLASSES)
    OVERRIDE_PARSER_CLASSES[full_tag("startEvent")] = (ClockStartEventParser, StartEvent)
    OVERRIDE_PARSER_CLASSES[full_tag("boundaryEvent")] = (ClockBoundaryEventParser, BoundaryEvent)
    OVERRIDE_PARSER_CLASSES[full_tag("intermediateCatchEvent")] = (
        ClockIntermediateCatchEventParser,
        IntermediateCatchEvent,
    )


@dataclass
class ProcessBundle:
    """A parsed executable process: its spec, the specs it calls, and their serialized forms."""

    process_id: str
    name: str
    spec: Any
    subprocess_specs: dict[str, Any]
    sha256: str
    spec_dicts: dict[str, Any] = field(default_factory=dict)


def sha256_of(xml: bytes) -> str:
    """The hex sha256 of a BPMN document, its identity for deployment and caching."""
    return hashlib.sha256(xml).hexdigest()


def executable_process_ids(root) -> list[str]:
    """Ids of the executable processes declared in a parsed BPMN document."""
    ns = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}
    found = root.xpath("//bpmn:process", namespaces=ns)
    return [p.get("id") for p in found if p.get("isExecutable", "true").lower() == "true"]


_PARSED: OrderedDict[str, dict[str, ProcessBundle]] = OrderedDict()
_PARSED_LOCK = threading.Lock()
_PARSED_SIZE = 32


def parse_bpmn(xml: bytes, filename: str = "<bpmn>") -> dict[str, ProcessBundle]:
    """Parse a BPMN document into one bundle per executable process, or raise InvalidBpmn.

    Parsed documents are cached by sha256 (specs are immutable once parsed), so validating,
    deploying and running the same document parse it once per process.
    """
    digest = sha256_of(xml)
    with _PARSED_LOCK:
        if digest in _PARSED:
            _PARSED.move_to_end(digest)
            return dict(_PARSED[digest])
    bundles = _parse_uncached(xml, filename)
    with _PARSED_LOCK:
        _PARSED[digest] = bundles
        while len(_PARSED) > _PARSED_SIZE:
            _PARSED.popitem(last=False)
    return dict(bundles)


def _parse_uncached(xml: bytes, filename: str) -> dict[str, ProcessBundle]:
    root = safe_parse(xml, filename)
    ids = executable_process_ids(root)
    if not ids:
        raise InvalidBpmn([Problem(filename, None, "no executable process found")])
    parser = ProbidadParser()
    digest = sha256_of(xml)
    try:
        parser.add_bpmn_xml(root, filename)
        bundles = {}
        for pid in ids:
            spec = parser.get_spec(pid)
            subs = parser.get_subprocess_specs(pid)
            bundles[pid] = ProcessBundle(pid, spec.description or pid, spec, subs, digest)
    except ValidationException as exc:
        element = getattr(exc, "id", None) or None
        raise InvalidBpmn([Problem(filename, element, _plain(exc))]) from None
    except InvalidBpmn:
        raise
    except Exception as exc:  # noqa: BLE001 - third-party files must never crash us
        raise InvalidBpmn([Problem(filename, None, f"cannot be parsed: {_plain(exc)}")]) from None
    return bundles


def _plain(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:300]


class SpecCache:
    """A small thread-safe LRU of parsed bundles keyed by (sha256, process id)."""

    def __init__(self, size: int = 64):
        self._size = size
        self._items: OrderedDict[tuple[str, str], ProcessBundle] = OrderedDict()
        self._lock = threading.Lock()

    def cached(self, sha256: str, process_id: str) -> ProcessBundle | None:
        """The bundle already parsed for this sha256 and process, or None (no XML needed)."""
        with self._lock:
            bundle = self._items.get((sha256, process_id))
            if bundle is not None:
                self._items.move_to_end((sha256, process_id))
            return bundle

    def get(self, xml: bytes, process_id: str, filename: str = "<bpmn>") -> ProcessBundle:
        """Return the bundle for this document and process, parsing once per sha256."""
        key = (sha256_of(xml), process_id)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        bundles = parse_bpmn(xml, filename)
        if process_id not in bundles:
            raise InvalidBpmn([Problem(filename, process_id, "process not found in document")])
        with self._lock:
            for pid, bundle in bundles.items():
                self._items[(bundle.sha256, pid)] = bundle
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return bundles[process_id]
