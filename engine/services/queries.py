"""Read models: case views with deadlines and links, and task lists for the inbox."""

from __future__ import annotations

from engine.clock import to_lima
from engine.domain.model import CaseView, DeadlineView, LinkView, TaskRecord, TaskView
from engine.errors import NotFound
from engine.ports import UnitOfWork
from engine.services.context import Runtime, tenant_rules
from engine.services.persist import load_case, release
from engine.workflow import runner


def task_view(record: TaskRecord) -> TaskView:
    """The public view of an inbox row."""
    return TaskView(record.id, record.case_id, record.process_id, record.name, record.title, record.lane,
                    record.form_id, record.due_at, record.state, record.assignee)


def case_view(rt: Runtime, uow: UnitOfWork, case_id: str, with_data: bool = True) -> CaseView:
    """A case's metadata, workflow variables, running and past deadlines, links and ready tasks."""
    case = uow.cases.get(case_id)
    if case is None:
        raise NotFound(f"case {case_id} not found")
    data = {}
    if with_data and case.status != "shredded":
        loaded = load_case(rt, uow, case_id)
        data = runner.workflow_data(loaded.workflow)
        release(rt, loaded)
    rules = tenant_rules(rt, uow, case.tenant_id)
    today = to_lima(rt.now()).date()
    deadlines = []
    for timer in uow.timers.for_case(case_id):
        title = timer.name
        if timer.policy and timer.policy in rules.policies:
            title = rules.policies.get(timer.policy).title_es
        left = rules.calendar.business_days_between(today, to_lima(timer.due_at).date()) \
            if timer.state == "waiting" else None
        deadlines.append(DeadlineView(timer.policy, timer.name, title, timer.due_at, timer.state,
                                      timer.attached_to, left))
    links = []
    for link in uow.links.for_case(case_id):
        other = uow.cases.get(link.other_case_id)
        links.append(LinkView(link.relation, link.other_case_id, other.process_id if other else "?"))
    tasks = tuple(task_view(t) for t in uow.tasks.query(case_id=case_id, state="ready", limit=50))
    return CaseView(case.id, case.tenant_id, case.process_id, case.process_version, case.version, case.status,
                    case.outcome, case.created_at, data, tuple(deadlines), tuple(links), tasks)
