"""Who may see and work what (SECURITY.md property 9). Deny by default.

A case is visible to an internal user only within their entity (tenant), never when a conflict
marker names them (the accused, or an explicit exclusion), and then only if they hold the lane role
of an unassigned ready task, are assigned to a task of the case, supervise (chief), or guard
identities (custodian: identity panel only). Content (narrative, attachments, comments) is shown to
lane workers, assignees and the chief; never to admin, auditor or the custodian by that role alone.

Conflict markers are content-free: HMAC(pepper, normalised name) of each accused person, compared
with the same HMAC of an officer's full name; plus explicit exclusions by user id.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from engine.errors import AccessDenied, Conflict, NotFound
from engine.services import audit

SUPERVISORS = ("chief",)
CONTENT_ROLES = ("mesa_de_partes", "oii", "chief", "st_pad", "instructing_authority", "deciding_authority",
                 "appeal_body", "hr", "oci", "entity_head")
_NON_LETTERS = re.compile(r"[^a-z ]+")


@dataclass(frozen=True)
class CaseAccess:
    """What one user may do with one case."""

    view: bool = False
    content: bool = False
    identity_panel: bool = False
    conflicted: bool = False


def normalize_name(name: str) -> str:
    """Accents off, lower case, letters only, words sorted: 'Pérez, Juan' == 'juan perez'."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    words = _NON_LETTERS.sub(" ", text).split()
    return " ".join(sorted(words))


def name_marker(rt, name: str) -> str | None:
    """The conflict marker of a person's name, or None for an empty name."""
    normal = normalize_name(name)
    return rt.extras["users.pepper"].mac("name", normal) if normal else None


def mark_accused(rt, case_id: str, names, actor: str = "system") -> int:
    """Store a conflict marker for each accused name of a case; return how many."""
    markers = {m for m in (name_marker(rt, n) for n in names) if m}
    with rt.uow_factory() as uow:
        for marker in sorted(markers):
            uow.users.add_marker(case_id, "accused", marker)
        audit.record(uow, rt.now(), actor, "case.conflict_markers", case_id, {"count": len(markers)})
        uow.commit()
    return len(markers)


def exclude_user(rt, case_id: str, user_id: str, actor: str) -> None:
    """Exclude a user from a case explicitly (declared conflict of interest)."""
    with rt.uow_factory() as uow:
        uow.users.add_marker(case_id, "user", user_id)
        audit.record(uow, rt.now(), actor, "case.exclude_user", case_id, {"user": user_id})
        uow.commit()


def is_conflicted(rt, uow, user, case_id: str) -> bool:
    """True when the user is named as accused in the case or explicitly excluded from it."""
    markers = uow.users.markers(case_id)
    if ("user", user.id) in markers:
        return True
    mine = name_marker(rt, user.full_name)
    return mine is not None and ("accused", mine) in markers


def case_access(rt, user, case_id: str) -> CaseAccess:
    """Decide what `user` may do with a case (deny by default)."""
    if user is None or not user.active:
        return CaseAccess()
    with rt.uow_factory(readonly=True) as uow:
        case = uow.cases.get(case_id)
        if case is None or case.tenant_id != user.tenant_id or case.status == "shredded":
            return CaseAccess()
        if is_conflicted(rt, uow, user, case_id):
            return CaseAccess(conflicted=True)
        tasks = uow.tasks.query(case_id=case_id, state=None, limit=500)
    assigned = any(t.assignee == user.id for t in tasks)
    lane_open = any(t.state == "ready" and t.lane in user.roles and t.assignee in (None, user.id) for t in tasks)
    worker = assigned or lane_open or user.has_role(*SUPERVISORS)
    custodian = user.has_role("custodian")
    return CaseAccess(view=worker or custodian, content=worker and user.has_role(*CONTENT_ROLES),
                      identity_panel=custodian)


def task_access(rt, user, task_id: str):
    """The task if `user` may work it (lane role, tenant, assignment, no conflict); else AccessDenied."""
    with rt.uow_factory(readonly=True) as uow:
        task = uow.tasks.get(task_id)
        if task is None or user is None or task.tenant_id != user.tenant_id:
            raise NotFound(f"task {task_id} not found")
        if is_conflicted(rt, uow, user, task.case_id):
            raise NotFound(f"task {task_id} not found")
    lane_ok = task.lane in user.roles
    if not lane_ok and not user.has_role(*SUPERVISORS):
        raise AccessDenied("this task belongs to another role")
    if task.assignee not in (None, user.id) and not user.has_role(*SUPERVISORS):
        raise AccessDenied("this task is assigned to someone else")
    return task


def claim(rt, user, task_id: str) -> None:
    """Take an unassigned ready task of one's lane."""
    task = task_access(rt, user, task_id)
    if task.state != "ready":
        raise Conflict("the task is no longer open")
    if task.assignee not in (None, user.id):
        raise Conflict("the task is already assigned")
    if task.lane not in user.roles:
        raise AccessDenied("this task belongs to another role")
    _assign(rt, task, user.id, user.id, "task.claim")


def release(rt, user, task_id: str) -> None:
    """Give back a task one holds (or, for a chief, any task of the entity)."""
    task = task_access(rt, user, task_id)
    if task.assignee is None:
        return
    _assign(rt, task, None, user.id, "task.release")


def reassign(rt, chief, task_id: str, target) -> None:
    """A chief hands a task to an officer of the same entity who holds the lane role."""
    if not chief.has_role(*SUPERVISORS):
        raise AccessDenied("only a chief may reassign tasks")
    task = task_access(rt, chief, task_id)
    if target is None or target.tenant_id != chief.tenant_id or task.lane not in target.roles or not target.active:
        raise AccessDenied("the officer cannot take this task")
    with rt.uow_factory(readonly=True) as uow:
        if is_conflicted(rt, uow, target, task.case_id):
            raise AccessDenied("the officer has a conflict of interest in this case")
    _assign(rt, task, target.id, chief.id, "task.reassign")


def _assign(rt, task, assignee: str | None, actor: str, action: str) -> None:
    with rt.uow_factory() as uow:
        current = uow.tasks.get(task.id)
        if current is None or current.state != "ready":
            raise Conflict("the task is no longer open")
        uow.tasks.set_assignee(task.id, assignee)
        audit.record(uow, rt.now(), actor, action, task.case_id, {"task_id": task.id, "assignee": assignee})
        uow.commit()
