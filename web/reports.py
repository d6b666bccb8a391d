"""Dashboards for chiefs and auditors (`/tablero`): SLA compliance, case counts, backlog, decisions,
the integrity-model indicators, and audited downloads (case list, REPRAC, case file PDF).

Thin: every figure is computed by the engine (`Engine.dashboard`, `Engine.indicators`). Each chart
is drawn by chart.js (bundled in web/static/vendor) from the same rows as the table beneath it.
A chief sees their own entity; an auditor sees every entity together or one of them.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, g, render_template, request

from web.security import engine, login_required

bp = Blueprint("reports", __name__, url_prefix="/tablero")
VIEWERS = ("chief", "auditor")
# figure key -> (label columns, value columns) drawn in its chart
SERIES = {"sla": ([1], [3, 4, 5]), "status": ([0, 1], [2]), "durations": ([0, 1], [4, 5])}
MIMETYPES = {"csv": "text/csv; charset=utf-8",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def chart_data(figure) -> dict:
    """The chart.js data of a figure: labels and one dataset per plotted column (rows of its table)."""
    labels_at, values_at = SERIES.get(figure.key, ([0], [len(figure.columns) - 1]))
    labels = [" · ".join(str(row[i]) for i in labels_at) for row in figure.rows]
    datasets = [{"label": figure.columns[i], "data": [row[i] if row[i] is not None else 0 for row in figure.rows]}
                for i in values_at]
    return {"type": "line" if figure.chart == "line" else "bar", "stacked": figure.chart == "stacked",
            "labels": labels, "datasets": datasets}


def _scope() -> tuple[str | None, list[str]]:
    """(entity shown, entities to choose from): a chief is bound to their entity."""
    user = g.user
    if not user.has_role("auditor"):
        return user.tenant_id, []
    choices = engine().report_tenants()
    wanted = request.args.get("entidad") or None
    if wanted is not None and wanted not in choices:
        abort(404)
    return wanted, choices


@bp.get("/")
@login_required(*VIEWERS)
def index():
    """The dashboard of one entity or, for auditors, of all entities."""
    tenant, choices = _scope()
    figures = engine().dashboard(tenant)
    return render_template("reports/dashboard.html", figures=figures, charts={f.key: chart_data(f) for f in figures},
                           tenant=tenant, choices=choices, fields=engine().export_fields)


@bp.get("/indicadores")
@login_required(*VIEWERS)
def indicators():
    """The integrity-model indicator panel."""
    tenant, choices = _scope()
    return render_template("reports/indicators.html", indicators=engine().indicators(tenant), tenant=tenant,
                           choices=choices)


def _download(data: bytes, fmt: str, stem: str) -> Response:
    response = Response(data, content_type=MIMETYPES.get(fmt, "application/pdf"))
    response.headers["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response


@bp.get("/exportar")
@login_required(*VIEWERS)
def export_cases():
    """The case list with the chosen fields, as CSV or XLSX (audited by the engine)."""
    tenant, _choices = _scope()
    fmt = request.args.get("formato", "csv")
    if fmt not in MIMETYPES:
        abort(400)
    fields = request.args.getlist("campo") or None
    data = engine().export_cases(g.user.id, fmt, fields, tenant, request.args.get("proceso") or None)
    return _download(data, fmt, "casos")


@bp.get("/reprac")
@login_required(*VIEWERS)
def export_reprac():
    """The quarterly REPRAC report (audited)."""
    tenant, _choices = _scope()
    fmt = request.args.get("formato", "csv")
    year, quarter = request.args.get("anio", type=int), request.args.get("trimestre", type=int)
    if fmt not in MIMETYPES or year is None or quarter is None:
        abort(400)
    return _download(engine().export_reprac(g.user.id, year, quarter, fmt, tenant), fmt, f"reprac-{year}-T{quarter}")


@bp.get("/expediente/<case_id>.pdf")
@login_required(*VIEWERS)
def case_file(case_id: str):
    """A case file as PDF with its hash manifest; the identity stays redacted (audited)."""
    access = engine().case_access(g.user, case_id)
    if not access.content:
        abort(404)
    return _download(engine().case_file(case_id, g.user.id).pdf, "pdf", f"expediente-{case_id}")


def register(app) -> None:
    """Register the reports feature's blueprints: dashboards, the public page and the REST API."""
    from web import api, public

    for blueprint in (bp, public.bp, api.bp):
        app.register_blueprint(blueprint)
