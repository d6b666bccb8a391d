"""Designer drafts: diagrams saved by auditors while they work; saving never changes what runs."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from engine.errors import InvalidInput, NotFound
from engine.ports import UnitOfWork
from engine.services.context import Runtime
from engine.workflow.elements import main_process
from engine.workflow.xml_safety import MAX_BPMN_BYTES, safe_parse

MAX_PROCESS_ID = 100


def save_draft(rt: Runtime, uow_factory: Callable[..., UnitOfWork], xml: bytes, process_id: str | None,
               author: str, tenant: str) -> str:
    """Store a draft (well-formed, DTD-free XML up to MAX_BPMN_BYTES); return its id."""
    if len(xml) > MAX_BPMN_BYTES:
        raise InvalidInput(f"the diagram is larger than {MAX_BPMN_BYTES} bytes")
    root = safe_parse(xml, "<draft>")
    if not process_id:
        process = main_process(root)
        process_id = process.get("id") if process is not None else None
    process_id = str(process_id)[:MAX_PROCESS_ID] if process_id else None
    draft_id = uuid.uuid4().hex
    with uow_factory() as uow:
        uow.designer.add_draft(draft_id, tenant, process_id, bytes(xml), author, rt.now())
        uow.commit()
    return draft_id


def list_drafts(uow_factory: Callable[..., UnitOfWork], tenant: str) -> list[dict[str, Any]]:
    """A tenant's drafts, newest first (id, process_id, saved_at, author)."""
    with uow_factory(readonly=True) as uow:
        return uow.designer.list_drafts(tenant)


def get_draft(uow_factory: Callable[..., UnitOfWork], draft_id: str, tenant: str) -> dict[str, Any]:
    """One draft with its XML; NotFound for another tenant's or an unknown id."""
    with uow_factory(readonly=True) as uow:
        draft = uow.designer.get_draft(str(draft_id)[:64], tenant)
    if draft is None:
        raise NotFound("draft not found")
    return draft
