"""Report computations: SLA compliance, case counts, backlog, durations, decisions (docs/reports.md).

Everything here reads plaintext metadata only: the cases, tasks and timers tables, and the
`case_facts` projection of a fixed allow-list of non-sensitive workflow variables (closed choice
codes, flags, counts, dates and public report identifiers; SECURITY.md property 1). Aggregates are
SQL GROUP BYs in `uow.reports`; no workflow state is opened to draw a dashboard.

The SLA rule (one row per timer with a policy; party terms excluded):
- waiting and due_at > now            -> running
- waiting and due_at <= now           -> late (still open), days late counted until today
- fired                               -> late: the deadline was missed; days late until the guarded
                                          task completed (or the case closed), or until today if open
- cancelled (the guarded step ended)  -> on time, unless the step ended after due_at (late)
Days late are business days of the entity's calendar (LPAG 133-134) after the term's last day up
to the end date, in Lima, and at least 1.
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from engine.clock import to_lima
from engine.services.context import Runtime, tenant_rules
from engine.workflow import runner

# The only workflow variables projected into `case_facts`, per process (docs/reports.md).
FACT_KEYS: dict[str, frozenset[str]] = {
    "denuncia": frozenset({"channel", "anonymous", "reason_categories", "admissibility", "classification",
                           "corruption_kinds", "route_targets", "protection_requested", "bad_faith"}),
    "proteccion": frozenset({"requester_kind", "decision", "measures_granted", "review_decision"}),
    "pad": frozenset({"origin", "corruption_linked", "sanction_level", "precalification_result",
                      "resolution_outcome", "sanction_imposed", "appeal_result", "reconsideration_result",
                      "prescription_declared"}),
    "control_concurrente": frozenset({"modality", "adverse_situation_count", "corrected_count",
                                      "in_progress_count", "not_addressed_count", "final_report_number",
                                      "final_report_date", "published", "publication_url", "published_on"}),
}
# Free-text keys allowed only when they match a public-identifier shape.
_TEXT_SHAPES = {
    "final_report_number": re.compile(r"^[0-9A-Za-z][0-9A-Za-z\-/°. ]{0,39}$"),
    "publication_url": re.compile(r"^https?://[^\s<>\"']{1,290}$"),
}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Terms that run against a party (the servant, the complainant), not the office: not office SLAs.
PARTY_TERMS = frozenset({"pad.descargos", "pad.informe_oral", "pad.impugnacion", "denuncia.subsanacion"})
ACK_TASKS = {"denuncia": "acknowledge_receipt"}
DECISION_TASKS = {"denuncia": "classify", "proteccion": "evaluate_request", "pad": "issue_resolution"}
AGE_BUCKETS = ((0, 30, "0-30"), (31, 90, "31-90"), (91, 180, "91-180"), (181, None, "> 180"))


# -- the case-facts projection ----------------------------------------------------------------
def _field(definition: Any, key: str) -> Any:
    for form in definition.forms.values():
        for fld in form.fields:
            if fld.name == key and not fld.content:
                return fld
    return None


def _clean(definition: Any, key: str, value: Any) -> list[str]:
    """The allowed string values of one variable; [] when the value is not of the expected shape."""
    fld = _field(definition, key) if definition is not None else None
    if fld is None or value is None or value == "":
        return []
    values = value if isinstance(value, list | tuple) else [value]
    if fld.type in ("choice", "multichoice"):
        return sorted({v for v in values if isinstance(v, str) and v in fld.choice_values()})
    if fld.type == "bool":
        return ["true" if bool(value) else "false"]
    if fld.type == "int":
        return [str(int(value))] if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else []
    if fld.type == "date":
        return [value[:10]] if isinstance(value, str) and _DATE.match(value[:10]) else []
    shape = _TEXT_SHAPES.get(key)
    return [value] if shape is not None and isinstance(value, str) and shape.match(value) else []


def facts_of(definition: Any, process_id: str, data: dict[str, Any]) -> list[tuple[str, str]]:
    """The (key, value) facts of a case's workflow variables, allow-listed and shape-checked."""
    facts = []
    for key in sorted(FACT_KEYS.get(process_id, ())):
        facts.extend((key, v) for v in _clean(definition, key, data.get(key)))
    return facts


def project_facts(rt: Runtime, uow: Any, loaded: Any, now: datetime) -> None:
    """The `after_store` hook: refresh a case's facts in the same transaction as its state."""
    repo = getattr(uow, "reports", None)
    case = loaded.case
    if repo is None or case.process_id not in FACT_KEYS:
        return
    data = loaded.data if getattr(loaded, "data", None) is not None else runner.workflow_data(loaded.workflow)
    repo.replace_facts(case.id, case.tenant_id, case.process_id,
                       facts_of(rt.definition(case.process_id), case.process_id, data))


# -- figures ----------------------------------------------------------------------------------
@dataclass
class Figure:
    """One chart and the table behind it: the same rows draw both."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    chart: str = "bar"

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"key": self.key, "title": self.title, "columns": self.columns, "rows": self.rows,
                "chart": self.chart}


def _days_late(calendar: Any, due: datetime, end: datetime) -> int:
    # A term expires at 00:00 Lima after its last day (LPAG 140.1): its due day is the day before.
    last_day = to_lima(due - timedelta(microseconds=1)).date()
    return max(1, calendar.business_days_between(last_day, to_lima(end).date()))


def deadline_outcome(row: Any, now: datetime, calendar: Any) -> tuple[str, int]:
    """(on_time | late | running, business days late) of one timer row (module docstring)."""
    due = row.due_at
    if row.state == "waiting":
        return ("running", 0) if due > now else ("late", _days_late(calendar, due, now))
    end = row.task_completed_at or row.closed_at
    if row.state == "fired":
        return "late", _days_late(calendar, due, end or now)
    if end is not None and end > due:
        return "late", _days_late(calendar, due, end)
    return "on_time", 0


def sla(rt: Runtime, uow: Any, tenant: str | None, now: datetime, process_id: str | None = None) -> Figure:
    """SLA compliance per process and policy: on time, late, running, days late (total and max)."""
    calendars: dict[str, Any] = {}
    acc: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for row in uow.reports.deadline_rows(tenant, process_id):
        if row.policy in PARTY_TERMS:
            continue
        if row.tenant_id not in calendars:
            calendars[row.tenant_id] = tenant_rules(rt, uow, row.tenant_id).calendar
        outcome, late_days = deadline_outcome(row, now, calendars[row.tenant_id])
        slot = acc[(row.process_id, row.policy)]
        slot[("on_time", "late", "running").index(outcome)] += 1
        slot[3] += late_days
        slot[4] = max(slot[4], late_days)
    rows = []
    for (process, policy), (on_time, late, running, total, worst) in sorted(acc.items()):
        title = rt.policies.get(policy).title_es if policy in rt.policies else policy
        finished = on_time + late
        rate = round(100.0 * on_time / finished, 1) if finished else None
        rows.append([process, policy, title, on_time, late, running, rate, total, worst])
    return Figure("sla", "Cumplimiento de plazos", ["Proceso", "Plazo", "Título", "A tiempo", "Vencidos",
                                                    "En curso", "% a tiempo", "Días de retraso", "Máx. retraso"],
                  rows, "stacked")


def by_status(uow: Any, tenant: str | None) -> Figure:
    """Cases by process and status."""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for _tenant, process, status, n in uow.reports.status_counts(tenant):
        counts[(process, status)] += n
    rows = [[p, s, n] for (p, s), n in sorted(counts.items())]
    return Figure("status", "Casos por estado", ["Proceso", "Estado", "Casos"], rows)


def by_fact(uow: Any, tenant: str | None, key: str, process_id: str, title: str, label: str) -> Figure:
    """Cases of a process by the value of one fact (channel, category...)."""
    counts: dict[str, int] = defaultdict(int)
    for _tenant, value, n in uow.reports.fact_counts(key, tenant, process_id):
        counts[value] += n
    return Figure(key, title, [label, "Casos"], [[v, n] for v, n in sorted(counts.items())])


def by_age(uow: Any, tenant: str | None, now: datetime) -> Figure:
    """Open cases by age in calendar days since they were opened."""
    rows = []
    tick = timedelta(microseconds=1)
    for low, high, label in AGE_BUCKETS:  # age in [low, high + 1) days: created in (now - high - 1, now - low]
        oldest = now - timedelta(days=high + 1) + tick if high is not None else None
        rows.append([label, uow.reports.count_open_created_between(oldest, now - timedelta(days=low) + tick,
                                                                   tenant)])
    return Figure("age", "Casos abiertos por antigüedad (días)", ["Antigüedad", "Casos"], rows)


def backlog(uow: Any, tenant: str | None, now: datetime, weeks: int = 12) -> Figure:
    """Open cases at the end of each of the last `weeks` weeks (the last point is now)."""
    rows = []
    for k in range(weeks - 1, -1, -1):
        instant = now - timedelta(weeks=k)
        rows.append([to_lima(instant).date().isoformat(), uow.reports.count_open_at(instant, tenant)])
    return Figure("backlog", "Casos abiertos por semana", ["Semana al", "Abiertos"], rows, "line")


def _durations(uow: Any, tenant: str | None, process_id: str, task: str) -> list[Any]:
    done, pending = [], 0
    for _tenant, status, created, completed in uow.reports.first_completions(process_id, task, tenant):
        if completed is None:
            pending += status == "open"
        else:
            done.append((completed - created).total_seconds() / 86400)
    mean = round(statistics.fmean(done), 1) if done else None
    median = round(statistics.median(done), 1) if done else None
    return [len(done), mean, median, pending]


def durations(uow: Any, tenant: str | None) -> Figure:
    """Calendar days from opening to acknowledgement and to decision, per process."""
    rows = [["acuse", p, t, *_durations(uow, tenant, p, t)] for p, t in ACK_TASKS.items()]
    rows += [["decisión", p, t, *_durations(uow, tenant, p, t)] for p, t in DECISION_TASKS.items()]
    return Figure("durations", "Tiempo hasta el acuse y la decisión (días calendario)",
                  ["Hito", "Proceso", "Tarea", "Casos", "Promedio", "Mediana", "Pendientes"], rows)


def protection(uow: Any, tenant: str | None) -> Figure:
    """Protection requests granted, denied and pending a decision."""
    counts = dict(by_fact(uow, tenant, "decision", "proteccion", "", "").rows)
    total = sum(n for _t, _p, _s, n in uow.reports.status_counts(tenant, "proteccion"))
    granted, denied = counts.get("grant", 0), counts.get("deny", 0)
    return Figure("protection", "Solicitudes de protección", ["Resultado", "Solicitudes"],
                  [["Otorgadas", granted], ["Denegadas", denied], ["Sin decisión", total - granted - denied]])


def pad_outcomes(uow: Any, tenant: str | None) -> Figure:
    """Closed PADs by the end reached, and open ones."""
    counts: dict[str, int] = defaultdict(int)
    for _tenant, outcome, n in uow.reports.outcome_counts("pad", tenant):
        counts[outcome or "(en trámite)"] += n
    return Figure("pad", "Resultados de los PAD", ["Resultado", "PAD"], sorted([k, v] for k, v in counts.items()))


def adverse(uow: Any, tenant: str | None) -> Figure:
    """Adverse situations of concurrent control: corrected and pending (in progress + not addressed)."""
    def total(key: str) -> int:
        return sum(n for _t, n in uow.reports.fact_sums(key, tenant, "control_concurrente"))
    corrected = total("corrected_count")
    in_progress, not_addressed = total("in_progress_count"), total("not_addressed_count")
    return Figure("adverse", "Situaciones adversas", ["Estado", "Situaciones"],
                  [["Corregidas", corrected], ["En proceso", in_progress], ["No atendidas", not_addressed]])


def dashboard(rt: Runtime, uow: Any, tenant: str | None, now: datetime) -> list[Figure]:
    """Every figure of the dashboard, for one entity or (tenant None) overall."""
    return [
        sla(rt, uow, tenant, now),
        by_status(uow, tenant),
        by_fact(uow, tenant, "channel", "denuncia", "Denuncias por canal", "Canal"),
        by_fact(uow, tenant, "reason_categories", "denuncia", "Denuncias por motivo", "Motivo"),
        by_age(uow, tenant, now),
        backlog(uow, tenant, now),
        durations(uow, tenant),
        protection(uow, tenant),
        pad_outcomes(uow, tenant),
        adverse(uow, tenant),
    ]


def deadline_list(rt: Runtime, uow: Any, tenant: str | None, process_id: str | None,
                  now: datetime) -> list[dict[str, Any]]:
    """Every office deadline (party terms excluded) with its outcome and business days late."""
    calendars: dict[str, Any] = {}
    found = []
    for row in uow.reports.deadline_rows(tenant, process_id):
        if row.policy in PARTY_TERMS:
            continue
        if row.tenant_id not in calendars:
            calendars[row.tenant_id] = tenant_rules(rt, uow, row.tenant_id).calendar
        outcome, late_days = deadline_outcome(row, now, calendars[row.tenant_id])
        found.append({"case_id": row.case_id, "tenant": row.tenant_id, "process_id": row.process_id,
                      "policy": row.policy, "due_at": row.due_at.isoformat(), "state": row.state,
                      "outcome": outcome, "days_late": late_days})
    return found
