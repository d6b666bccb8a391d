"""Use cases that move a case: start it, complete a task, start the cases it links to."""

from __future__ import annotations

import uuid
from typing import Any

from engine.domain.model import Case, CaseLink
from engine.errors import DisallowedTaskData, NotFound, StaleCase
from engine.ports import UnitOfWork
from engine.services import audit
from engine.services.commands import CompleteTask, StartCase
from engine.services.context import Runtime, script_engine, tenant_rules
from engine.services.persist import LoadedCase, bundle_for, load_case, store_case
from engine.workflow import runner

MAX_LINK_DEPTH = 3


def check_allowed(rt: Runtime, process_id: str, data: dict[str, Any]) -> None:
    """Refuse task data outside the workflow's allow-list (ARCHITECTURE §2.3)."""
    definition = rt.definition(process_id)
    allowed = definition.data_keys if definition is not None else frozenset()
    bad = [k for k in data if k not in allowed]
    if bad:
        raise DisallowedTaskData(bad, process_id)


def with_form_defaults(rt: Runtime, process_id: str, form_id: str | None, data: dict[str, Any]) -> dict[str, Any]:
    """Fill yes/no fields the caller left out with False, as an unticked checkbox means."""
    definition = rt.definition(process_id)
    form = definition.form(form_id) if definition is not None and form_id else None
    if form is None:
        return dict(data)
    filled = {f.name: False for f in form.fields if f.type == "bool" and not f.content and f.name not in data}
    filled.update(data)
    return filled


def start_case(cmd: StartCase, uow: UnitOfWork, rt: Runtime) -> str:
    """Start a case on the newest version of its process; return the case id."""
    with uow:
        case_id = _start(cmd, uow, rt, depth=0)
        uow.commit()
    return case_id


def start_in_uow(cmd: StartCase, uow: UnitOfWork, rt: Runtime) -> str:
    """Start a case inside the caller's unit of work (the caller commits); return the case id."""
    return _start(cmd, uow, rt, depth=0)


def _start(cmd: StartCase, uow: UnitOfWork, rt: Runtime, depth: int) -> str:
    check_allowed(rt, cmd.process_id, cmd.data)
    definition = rt.definition(cmd.process_id)
    data = with_form_defaults(rt, cmd.process_id, definition.start_form if definition else None, cmd.data)
    bundle, version = bundle_for(rt, uow, cmd.process_id)
    now = rt.now()
    case = Case(id=cmd.case_id or uuid.uuid4().hex, tenant_id=cmd.tenant_id, process_id=cmd.process_id,
                process_version=version, status="open", created_at=now, updated_at=now)
    rules = tenant_rules(rt, uow, cmd.tenant_id)
    workflow = runner.start(bundle, script_engine(rt, rules, case.id), data)
    loaded = LoadedCase(case, bundle, workflow, rules, None, 1)
    store_case(rt, uow, loaded, cmd.actor, new=True)
    audit.record(uow, now, cmd.actor, "case.start", case.id,
                 {"process_id": cmd.process_id, "version": version, "keys": sorted(cmd.data)})
    start_linked(loaded, uow, rt, cmd.actor, depth)
    return case.id


def start_linked(loaded: LoadedCase, uow: UnitOfWork, rt: Runtime, actor: str, depth: int) -> None:
    """Start the cases that thrown messages ask for, and link them both ways."""
    definition = rt.definition(loaded.case.process_id)
    targets = definition.start_messages if definition is not None else {}
    messages, loaded.messages = loaded.messages, []
    for message in messages:
        target = targets.get(message.name)
        if target is None or depth >= MAX_LINK_DEPTH:
            continue
        payload = message.payload if isinstance(message.payload, dict) else {}
        target_def = rt.definition(target)
        allowed = target_def.data_keys if target_def is not None else frozenset()
        data = {k: v for k, v in payload.items() if k in allowed}
        child = _start(StartCase(target, actor, loaded.case.tenant_id, data), uow, rt, depth + 1)
        now = rt.now()
        uow.links.add(CaseLink(loaded.case.id, child, f"started:{target}", now))
        uow.links.add(CaseLink(child, loaded.case.id, f"started_by:{loaded.case.process_id}", now))
        audit.record(uow, now, actor, "case.link", loaded.case.id,
                     {"other_case_id": child, "message": message.name})


def complete_task(cmd: CompleteTask, uow: UnitOfWork, rt: Runtime) -> str:
    """Complete a ready user task with data; return the case id."""
    with uow:
        record = uow.tasks.get(cmd.task_id)
        if record is None:
            raise NotFound(f"task {cmd.task_id} not found")
        if record.state != "ready":
            raise StaleCase(record.case_id)
        check_allowed(rt, record.process_id, cmd.data)
        loaded = load_case(rt, uow, record.case_id)
        if cmd.expected_version is not None and cmd.expected_version != loaded.case.version:
            raise StaleCase(record.case_id)
        runner.complete(loaded.workflow, cmd.task_id,
                        with_form_defaults(rt, record.process_id, record.form_id, cmd.data))
        store_case(rt, uow, loaded, cmd.actor)
        audit.record(uow, rt.now(), cmd.actor, "task.complete", record.case_id,
                     {"task_id": cmd.task_id, "task": record.name, "keys": sorted(cmd.data)})
        start_linked(loaded, uow, rt, cmd.actor, 0)
        uow.commit()
    return record.case_id
