"""The Engine: the Python API the web app, the CLI, tests and benchmarks use (ARCHITECTURE §3)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from engine.clock import to_lima
from engine.domain.audit import ChainReport
from engine.domain.model import CaseView, ProcessDefinition, TaskView
from engine.domain.roles import ROLE_CODES
from engine.errors import InvalidInput, NotFound, Problem
from engine.facade_content import ContentApi
from engine.facade_designer import DesignerApi
from engine.facade_notify import NotifyApi
from engine.facade_reports import ReportsApi
from engine.facade_users import UsersApi
from engine.services import audit, cases, deploy, queries, timers
from engine.services.commands import CompleteTask, Deploy, FireDueTimers, StartCase
from engine.services.context import Runtime, tenant_rules
from engine.workflow.validate import validate_bpmn

SYSTEM = "system"


class Engine(ContentApi, NotifyApi, UsersApi, ReportsApi, DesignerApi):
    """probidad's engine: deploy processes, start cases, work tasks, fire timers, read cases."""

    def __init__(self, runtime: Runtime, settings: Any = None):
        self.rt = runtime
        self.settings = settings
        self.default_tenant = getattr(settings, "default_tenant", "default")

    # -- processes ---------------------------------------------------------------------------
    def validation_context(self):
        """The rules deploy and validate check against."""
        return deploy.validation_context(self.rt, ROLE_CODES)

    def validate(self, xml: bytes, filename: str = "<bpmn>") -> list[Problem]:
        """Every problem of a BPMN document (empty when deployable). Never executes it."""
        return validate_bpmn(xml, filename, self.validation_context())

    def deploy_xml(self, xml: bytes, filename: str, actor: str = SYSTEM) -> list[deploy.Deployed]:
        """Validate and store a new version of each process in the document."""
        return deploy.deploy(Deploy(xml, filename, actor), self.rt.uow_factory(), self.rt, self.validation_context())

    def deploy_files(self, paths: Iterable[Path], actor: str = SYSTEM) -> list[deploy.Deployed]:
        """Deploy BPMN files from disk."""
        results = []
        for path in paths:
            try:
                xml = Path(path).read_bytes()
            except OSError:
                raise InvalidInput(f"{path}: cannot read file") from None
            results.extend(self.deploy_xml(xml, Path(path).name, actor))
        return results

    def definitions(self) -> list[ProcessDefinition]:
        """Every deployed process version."""
        with self.rt.uow_factory(readonly=True) as uow:
            return uow.definitions.list_all()

    # -- cases and tasks ---------------------------------------------------------------------
    def start_case(self, process_id: str, data: dict | None = None, actor: str | None = None,
                   tenant: str | None = None) -> str:
        """Start a case of the newest version of a process; return its id."""
        cmd = StartCase(process_id, actor or SYSTEM, tenant or self.default_tenant, dict(data or {}))
        return cases.start_case(cmd, self.rt.uow_factory(), self.rt)

    def complete_task(self, task_id: str, data: dict | None = None, actor: str | None = None,
                      expected_version: int | None = None) -> str:
        """Complete a ready user task; StaleCase if the case changed meanwhile."""
        cmd = CompleteTask(task_id, actor or SYSTEM, dict(data or {}), expected_version)
        return cases.complete_task(cmd, self.rt.uow_factory(), self.rt)

    def tasks(self, case_id: str | None = None, lanes: Iterable[str] | None = None, tenant: str | None = None,
              state: str | None = "ready", process_id: str | None = None, limit: int = 100,
              offset: int = 0) -> list[TaskView]:
        """Tasks for an inbox or a case, overdue first then by due date."""
        with self.rt.uow_factory(readonly=True) as uow:
            rows = uow.tasks.query(case_id=case_id, lanes=lanes, tenant_id=tenant, state=state,
                                   process_id=process_id, limit=limit, offset=offset)
        return [queries.task_view(r) for r in rows]

    def task(self, task_id: str) -> TaskView:
        """One task."""
        with self.rt.uow_factory(readonly=True) as uow:
            row = uow.tasks.get(task_id)
        if row is None:
            raise NotFound(f"task {task_id} not found")
        return queries.task_view(row)

    def case(self, case_id: str) -> CaseView:
        """A case with its workflow variables, deadlines, links and ready tasks."""
        with self.rt.uow_factory(readonly=True) as uow:
            return queries.case_view(self.rt, uow, case_id)

    def cases(self, process_id: str | None = None, tenant: str | None = None, status: str | None = None,
              limit: int = 1000) -> list[CaseView]:
        """Cases (with their deadlines and links), newest first."""
        with self.rt.uow_factory(readonly=True) as uow:
            found = uow.cases.list(process_id=process_id, tenant_id=tenant, status=status, limit=limit)
            return [queries.case_view(self.rt, uow, c.id) for c in found]

    # -- timers ------------------------------------------------------------------------------
    def tick(self, now: datetime | None = None) -> int:
        """Fire every timer due at `now` (default: the clock); return how many fired."""
        cmd = FireDueTimers(now or self.rt.now(), getattr(self.settings, "timer_batch", 200))
        return timers.fire_due_timers(cmd, self.rt.uow_factory, self.rt).fired

    def sweep(self, now: datetime | None = None) -> timers.SweepResult:
        """Like tick, with the ids of cases that failed."""
        cmd = FireDueTimers(now or self.rt.now(), getattr(self.settings, "timer_batch", 200))
        return timers.fire_due_timers(cmd, self.rt.uow_factory, self.rt)

    # -- calendar ----------------------------------------------------------------------------
    def add_days(self, start: date, n: int, tenant: str | None = None) -> date:
        """The due date n business days after start (LPAG 133-134) for an entity."""
        with self.rt.uow_factory(readonly=True) as uow:
            calendar = tenant_rules(self.rt, uow, tenant or self.default_tenant).calendar
        return calendar.add_business_days(start, n)

    def add_extra_day(self, day: date, reason: str, actor: str = SYSTEM, tenant: str | None = None) -> None:
        """Add an entity's extra non-working day (audited)."""
        tenant = tenant or self.default_tenant
        with self.rt.uow_factory() as uow:
            uow.calendar.add_extra_day(tenant, day, reason)
            audit.record(uow, self.rt.now(), actor, "calendar.add_day", None, {"tenant": tenant, "day": day})
            uow.commit()

    def remove_extra_day(self, day: date, actor: str = SYSTEM, tenant: str | None = None) -> bool:
        """Remove an entity's extra non-working day (audited)."""
        tenant = tenant or self.default_tenant
        with self.rt.uow_factory() as uow:
            removed = uow.calendar.remove_extra_day(tenant, day)
            if removed:
                audit.record(uow, self.rt.now(), actor, "calendar.remove_day", None, {"tenant": tenant, "day": day})
            uow.commit()
        return removed

    def extra_days(self, tenant: str | None = None) -> list[date]:
        """An entity's extra non-working days."""
        with self.rt.uow_factory(readonly=True) as uow:
            return uow.calendar.extra_days(tenant or self.default_tenant)

    def set_policy_override(self, policy_id: str, length: int, basis: str, actor: str = SYSTEM,
                            tenant: str | None = None) -> None:
        """Override a policy's length for an entity; running deadlines keep their value (audited)."""
        self.rt.policies.get(policy_id)
        if length < 0 or not basis.strip():
            raise InvalidInput("an override needs a length >= 0 and a legal basis")
        tenant = tenant or self.default_tenant
        with self.rt.uow_factory() as uow:
            uow.calendar.set_override(tenant, policy_id, length, basis.strip(), actor)
            audit.record(uow, self.rt.now(), actor, "policy.override", None,
                         {"tenant": tenant, "policy": policy_id, "length": length})
            uow.commit()

    # -- audit -------------------------------------------------------------------------------
    def audit_verify(self) -> ChainReport:
        """Verify the audit chain."""
        with self.rt.uow_factory(readonly=True) as uow:
            return audit.verify(uow)

    def audit_for_case(self, case_id: str):
        """A case's audit entries (its timeline)."""
        with self.rt.uow_factory(readonly=True) as uow:
            return uow.audit.for_case(case_id)

    def lima_today(self) -> date:
        """Today's date in Lima, by the engine's clock."""
        return to_lima(self.rt.now()).date()
