"""Untrusted BPMN XML is parsed with entities, DTDs and network access disabled (SECURITY.md 12)."""

from __future__ import annotations

import re

from lxml import etree

from engine.errors import InvalidBpmn, Problem

MAX_BPMN_BYTES = 2 * 1024 * 1024
_FORBIDDEN = re.compile(rb"<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)", re.IGNORECASE)
_XINCLUDE = re.compile(rb"XInclude", re.IGNORECASE)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def safe_parse(data: bytes | str, filename: str = "<bpmn>", max_bytes: int = MAX_BPMN_BYTES):
    """Parse BPMN bytes into an lxml element, refusing DTDs, entities, XInclude and oversize input."""
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    if len(raw) > max_bytes:
        raise InvalidBpmn([Problem(filename, None, f"file is larger than {max_bytes} bytes")])
    if _FORBIDDEN.search(raw):
        raise InvalidBpmn([Problem(filename, None, "DTDs and entity declarations are not allowed")])
    if _XINCLUDE.search(raw):
        raise InvalidBpmn([Problem(filename, None, "XInclude is not allowed")])
    try:
        root = etree.fromstring(raw, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise InvalidBpmn([Problem(filename, None, f"malformed XML: {exc.msg}")]) from None
    if root is None:
        raise InvalidBpmn([Problem(filename, None, "empty document")])
    return root
