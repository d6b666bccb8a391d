"""The diff a designer sees before deploying: this diagram against the newest deployed version.

Elements are matched by id. An element is "changed" when its type, name, lane (role), form,
condition, timer expression, (for a flow) source or target, or (for a message) payload differs;
a deadline is "changed" when a timer's SLA policy differs (or a timer appears or disappears).
Shape per docs/designer.md.
"""

from __future__ import annotations

from typing import Any

from engine.ports import UnitOfWork
from engine.workflow.elements import ElementInfo, process_elements

FIELDS = ("type", "name", "lane", "form", "condition", "timer", "source", "target", "payload")


def _show(value: str | None) -> str:
    return "—" if value is None else repr(value if len(value) <= 80 else value[:77] + "...")


def _item(info: ElementInfo) -> dict[str, Any]:
    return {"element_id": info.element_id, "name": info.name, "type": info.type}


def compare(new: dict[str, ElementInfo], old: dict[str, ElementInfo]) -> dict[str, list]:
    """Added, removed and changed elements, and changed deadlines, between two element maps."""
    added = [_item(new[k]) for k in sorted(new.keys() - old.keys())]
    removed = [_item(old[k]) for k in sorted(old.keys() - new.keys())]
    changed = []
    for key in sorted(new.keys() & old.keys()):
        fields = [f for f in FIELDS if getattr(new[key], f) != getattr(old[key], f)]
        if fields:
            changes = {f: [getattr(old[key], f), getattr(new[key], f)] for f in fields}
            detail = "; ".join(f"{f}: {_show(a)} → {_show(b)}" for f, (a, b) in changes.items())
            changed.append({**_item(new[key]), "fields": fields, "detail": detail[:500], "changes": changes})
    deadlines = []
    for key in sorted(new.keys() | old.keys()):
        before = old[key].policy if key in old else None
        after = new[key].policy if key in new else None
        if before != after:
            deadlines.append({**_item(new.get(key) or old[key]), "before": before, "after": after})
    return {"added": added, "removed": removed, "changed": changed, "deadlines_changed": deadlines}


def diff_against_running(xml: bytes, uow: UnitOfWork) -> dict[str, Any]:
    """Compare a diagram with the newest deployed version of its process (InvalidBpmn if unreadable)."""
    process_id, new = process_elements(xml, "<designer>")
    latest = uow.definitions.latest(process_id)
    old: dict[str, ElementInfo] = {}
    if latest is not None:
        try:
            _, old = process_elements(latest.xml, latest.filename)
        except Exception:  # noqa: BLE001 - an old stored version that no longer parses compares as empty
            old = {}
    result = {"process_id": process_id, "against_version": latest.version if latest else None}
    result.update(compare(new, old))
    return result
