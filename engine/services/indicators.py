"""Integrity-model indicators per entity: what probidad can measure, computed, never typed in.

The Peruvian integrity model (DS 092-2017-PCM, Política Nacional de Integridad; the OECD Integrity
Review of Peru recommends monitoring indicators per entity) has nine components; probidad measures
four of them from its own records: the complaint channel, whistleblower protection, disciplinary
follow-up and control results. A rate is None when its denominator is zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.services import reports
from engine.services.context import Runtime

COMPONENTS = (
    ("channel", "Canal de denuncias"),
    ("protection", "Protección al denunciante"),
    ("disciplinary", "Seguimiento disciplinario"),
    ("control", "Resultados del control"),
)


@dataclass(frozen=True)
class Indicator:
    """One figure of the panel: its component, code, label, value and unit."""

    component: str
    code: str
    label: str
    value: float | int | None
    unit: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"component": self.component, "code": self.code, "label": self.label, "value": self.value,
                "unit": self.unit}


def _rate(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _sla_policy(figure: reports.Figure, policy: str) -> tuple[int, int]:
    for row in figure.rows:
        if row[1] == policy:
            return row[3], row[4]
    return 0, 0


def _cases(uow: Any, tenant: str | None, process: str) -> tuple[int, int]:
    total = closed = 0
    for _t, _p, status, n in uow.reports.status_counts(tenant, process):
        total += n
        closed += n if status == "closed" else 0
    return total, closed


def _channel(uow: Any, tenant: str | None, sla: reports.Figure) -> list[Indicator]:
    received, _closed = _cases(uow, tenant, "denuncia")
    on_time, late = _sla_policy(sla, "denuncia.acuse")
    channels = reports.by_fact(uow, tenant, "channel", "denuncia", "", "").rows
    anonymous = dict(reports.by_fact(uow, tenant, "anonymous", "denuncia", "", "").rows).get("true", 0)
    ack = next(r for r in reports.durations(uow, tenant).rows if r[0] == "acuse")
    return [
        Indicator("channel", "complaints_received", "Denuncias recibidas", received, "casos"),
        Indicator("channel", "channels_used", "Canales con denuncias", len(channels), "canales"),
        Indicator("channel", "anonymous_share", "Denuncias anónimas", _rate(anonymous, received), "%"),
        Indicator("channel", "ack_on_time", "Acuses de recibo a tiempo", _rate(on_time, on_time + late), "%"),
        Indicator("channel", "ack_median_days", "Mediana de días hasta el acuse", ack[5], "días"),
    ]


def _protection(uow: Any, tenant: str | None, sla: reports.Figure) -> list[Indicator]:
    rows = dict(reports.protection(uow, tenant).rows)
    granted, denied = rows["Otorgadas"], rows["Denegadas"]
    on_time, late = _sla_policy(sla, "proteccion.decision")
    return [
        Indicator("protection", "requests", "Solicitudes de protección", granted + denied + rows["Sin decisión"],
                  "solicitudes"),
        Indicator("protection", "granted_share", "Solicitudes otorgadas", _rate(granted, granted + denied), "%"),
        Indicator("protection", "decided_on_time", "Decididas dentro de 15 días hábiles",
                  _rate(on_time, on_time + late), "%"),
    ]


def _disciplinary(uow: Any, tenant: str | None) -> list[Indicator]:
    opened, closed = _cases(uow, tenant, "pad")
    outcomes = dict(reports.pad_outcomes(uow, tenant).rows)
    routed = dict(reports.by_fact(uow, tenant, "route_targets", "denuncia", "", "").rows).get("st_pad", 0)
    return [
        Indicator("disciplinary", "complaints_to_st_pad", "Denuncias derivadas a la ST-PAD", routed, "casos"),
        Indicator("disciplinary", "pad_cases", "Expedientes PAD", opened, "casos"),
        Indicator("disciplinary", "pad_concluded", "PAD concluidos", _rate(closed, opened), "%"),
        Indicator("disciplinary", "pad_sanctioned", "PAD con sanción firme", outcomes.get("end_sanctioned", 0),
                  "casos"),
        Indicator("disciplinary", "pad_prescribed", "PAD prescritos (de los concluidos)",
                  _rate(outcomes.get("end_prescribed", 0), closed), "%"),
    ]


def _control(uow: Any, tenant: str | None) -> list[Indicator]:
    services, _closed = _cases(uow, tenant, "control_concurrente")
    adverse = dict(reports.adverse(uow, tenant).rows)
    corrected = adverse["Corregidas"]
    pending = adverse["En proceso"] + adverse["No atendidas"]
    published = dict(reports.by_fact(uow, tenant, "published", "control_concurrente", "", "").rows).get("true", 0)
    return [
        Indicator("control", "control_services", "Servicios de control concurrente", services, "servicios"),
        Indicator("control", "adverse_corrected", "Situaciones adversas corregidas", corrected, "situaciones"),
        Indicator("control", "adverse_pending", "Situaciones adversas pendientes", pending, "situaciones"),
        Indicator("control", "adverse_corrected_share", "Situaciones adversas corregidas",
                  _rate(corrected, corrected + pending), "%"),
        Indicator("control", "reports_published", "Informes publicados", published, "informes"),
    ]


def panel(rt: Runtime, uow: Any, tenant: str | None, now: datetime) -> list[Indicator]:
    """Every indicator for one entity (or, with tenant None, for all entities together)."""
    sla = reports.sla(rt, uow, tenant, now)
    return (_channel(uow, tenant, sla) + _protection(uow, tenant, sla) + _disciplinary(uow, tenant)
            + _control(uow, tenant))


# -- the public transparency page ------------------------------------------------------------
K_THRESHOLD = 5
SUPPRESSED = "< 5"


def suppress(values: dict[str, int], k: int = K_THRESHOLD) -> dict[str, int | str]:
    """Hide every count below k; when only one cell of a group is hidden, hide the next smallest
    too, so that no hidden count can be worked out from the group's total (secondary suppression)."""
    shown: dict[str, int | str] = {key: (n if n >= k else SUPPRESSED) for key, n in values.items()}
    hidden = [key for key, v in shown.items() if v == SUPPRESSED]
    if len(hidden) == 1 and len(values) > 1:
        smallest = min((key for key in values if key not in hidden), key=lambda key: (values[key], key))
        shown[smallest] = SUPPRESSED
    return shown


def _group(rows: list[list[Any]]) -> dict[str, int]:
    return {str(label): int(n) for label, n in rows}


def public_entity_stats(uow: Any, tenant: str) -> dict[str, Any]:
    """Aggregate counts of one entity for the public page, small counts suppressed."""
    received, closed = _cases(uow, tenant, "denuncia")
    totals = {"received": received, "closed": closed, "open": received - closed}
    protection = {k: v for k, v in _group(reports.protection(uow, tenant).rows).items() if k != "Sin decisión"}
    pad, _ = _cases(uow, tenant, "pad")
    control, _ = _cases(uow, tenant, "control_concurrente")
    return {
        "tenant": tenant,
        "complaints": suppress(totals),
        "channels": suppress(_group(reports.by_fact(uow, tenant, "channel", "denuncia", "", "").rows)),
        "protection": suppress(protection),
        "pad": suppress({"pad": pad})["pad"],
        "control": suppress({"control": control})["control"],
    }


def published_reports(uow: Any) -> list[dict[str, str]]:
    """Published concurrent-control reports: number, entity, date, URL (identifiers only)."""
    keys = ("published", "final_report_number", "published_on", "final_report_date", "publication_url")
    by_case: dict[str, dict[str, str]] = {}
    for case_id, tenant, key, value in uow.reports.fact_rows(keys, None, "control_concurrente"):
        by_case.setdefault(case_id, {"tenant": tenant})[key] = value
    found = []
    for facts in by_case.values():
        if facts.get("published") == "true" and facts.get("final_report_number"):
            found.append({"number": facts["final_report_number"], "tenant": facts["tenant"],
                          "date": facts.get("published_on") or facts.get("final_report_date", ""),
                          "url": facts.get("publication_url", "")})
    return sorted(found, key=lambda r: (r["date"], r["number"]), reverse=True)


def transparency(uow: Any) -> dict[str, Any]:
    """The public page: per-entity suppressed statistics and the published control reports."""
    return {"k": K_THRESHOLD, "entities": [public_entity_stats(uow, t) for t in uow.reports.tenants()],
            "reports": published_reports(uow)}
