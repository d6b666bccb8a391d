"""Untrusted BPMN XML is parsed with entities, DTDs and network access disabled (SECURITY.md 12)."""

from __future__ import annotations

import re

from lxml import etree

from engine.errors import InvalidBpmn, Problem

MAX_BPMN_BYTES = 2 * 1024 * 1024
_FORBIDDEN = re.compile(rb"<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)", re.IGNORECASE)
_XINCLUDE = re.compile(rb"XInclude", re.IGNORECASE)
_XINCLUDE_NS = "{http://www.w3.org/2001/XInclude}"


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
    except (ValueError, LookupError, etree.LxmlError) as exc:
        raise InvalidBpmn([Problem(filename, None, f"unreadable XML ({type(exc).__name__})")]) from None
    if root is None:
        raise InvalidBpmn([Problem(filename, None, "empty document")])
    _check_parsed(root, filename)
    return root


def _check_parsed(root, filename: str) -> None:
    """Second line of defence, for encodings the byte scan cannot read (UTF-16, UTF-32...)."""
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise InvalidBpmn([Problem(filename, None, "DTDs and entity declarations are not allowed")])
    for node in root.iter():
        if isinstance(node, etree._Entity):
            raise InvalidBpmn([Problem(filename, None, "DTDs and entity declarations are not allowed")])
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag.startswith(_XINCLUDE_NS):
            raise InvalidBpmn([Problem(filename, None, "XInclude is not allowed")])
