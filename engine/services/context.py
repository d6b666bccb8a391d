"""What every service needs besides the unit of work: clock, specs, policies, calendar, sealer."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Protocol

from engine.clock import parse_instant, to_lima
from engine.domain.sla import PolicySet, compute_due
from engine.errors import InvalidInput, NotFound
from engine.ports import StateSealer, UnitOfWork
from engine.services.live_cache import LiveWorkflows
from engine.workflow.environment import ProbidadScriptEngine
from engine.workflow.parser import SpecCache


class CalendarFactory(Protocol):
    """Builds a working calendar for an entity from its extra non-working days."""

    def __call__(self, extra_non_working: list[date]) -> Any: ...


@dataclass
class Runtime:
    """The engine's collaborators, built once by the composition root."""

    clock: Any
    policies: PolicySet
    calendar_factory: CalendarFactory
    sealer: StateSealer
    uow_factory: Callable[..., UnitOfWork]
    definitions: Mapping[str, Any] = field(default_factory=dict)
    specs: SpecCache = field(default_factory=SpecCache)
    notifier: Any = None
    recipients: Any = None
    settings: Any = None
    extras: dict[str, Any] = field(default_factory=dict)
    live: LiveWorkflows = field(default_factory=LiveWorkflows)

    def now(self) -> datetime:
        """The current instant, from the clock, in UTC (how every instant is stored)."""
        return self.clock.now().astimezone(UTC)

    def definition(self, process_id: str):
        """The WorkflowDefinition of a process, or None for processes without one."""
        return self.definitions.get(process_id)


@dataclass
class TenantRules:
    """The calendar and policies in force for one entity, loaded in the current unit of work."""

    calendar: Any
    policies: PolicySet


def tenant_rules(rt: Runtime, uow: UnitOfWork, tenant_id: str) -> TenantRules:
    """Load an entity's extra days and policy overrides."""
    calendar = rt.calendar_factory(uow.calendar.extra_days(tenant_id))
    overrides = uow.calendar.overrides(tenant_id)
    policies = rt.policies.with_overrides(overrides) if overrides else rt.policies
    return TenantRules(calendar, policies)


def _start_instant(start: Any, now: datetime) -> datetime:
    if start in (None, ""):
        return now
    if isinstance(start, datetime):
        return start if start.tzinfo else start.replace(tzinfo=UTC)
    text = str(start)
    try:
        return parse_instant(text + "T12:00:00" if len(text) == 10 else text)
    except ValueError:
        raise InvalidInput(f"sla_due: start must be an ISO date or instant, got {text[:40]!r}") from None


def script_engine(rt: Runtime, rules: TenantRules, case_id: str | None = None) -> ProbidadScriptEngine:
    """A sandboxed script engine whose helpers use this entity's calendar and policies."""
    now = rt.now

    def sla_due(policy_id: str, start: Any = None) -> str:
        try:
            policy = rules.policies.get(policy_id)
        except NotFound:
            raise InvalidInput(f"unknown SLA policy '{policy_id}'") from None
        return compute_due(policy, _start_instant(start, now()), rules.calendar).isoformat()

    helpers = {
        "sla_due": sla_due,
        "now_iso": lambda: now().isoformat(),
        "today": lambda: _lima_today(now()),
    }
    return ProbidadScriptEngine(helpers, now)


def _lima_today(moment: datetime) -> str:
    return to_lima(moment).date().isoformat()
