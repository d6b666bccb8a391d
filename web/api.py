"""REST API `/api/v1` for other systems (docs/api.md), described by OpenAPI 3 at `/api/v1/openapi.json`.

* Authentication: `Authorization: Bearer <token>`, a per-system token scoped to one entity and one
  role (`probidad api-token create`). Every query is confined to the token's entity.
* Errors are RFC 9457 problem details (`application/problem+json`): type, title, status, detail.
* Token-authenticated JSON routes are exempt from the session CSRF token (no cookie is used);
  bodies must be `application/json` (a `text/plain` form post is refused with 415).
* The OpenAPI document is generated from the operation specs attached to each view below.
"""

from __future__ import annotations

from functools import wraps
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request, url_for
from werkzeug.exceptions import HTTPException

from engine.errors import AccessDenied, Conflict, FormInvalid, InvalidInput, NotFound, ProbidadError, StaleCase
from web.api_spec import OPERATIONS, build_spec, operation
from web.security import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
PROBLEM = "application/problem+json"
EXPORT_ROLES = ("chief", "auditor", "oii")
INTAKE_FIELDS = ("channel", "anonymous", "reason_categories", "unit_code", "fact_date", "protection_requested",
                 "narrative", "accused", "evidence")
_TYPES = {
    400: "bad-request", 401: "unauthorized", 403: "forbidden", 404: "not-found", 405: "method-not-allowed",
    409: "conflict", 413: "too-large", 415: "unsupported-media-type", 422: "invalid-input", 500: "server-error",
}
_TITLES = {
    400: "Bad request", 401: "Authentication required", 403: "Forbidden", 404: "Not found",
    405: "Method not allowed", 409: "Conflict", 413: "Payload too large", 415: "Unsupported media type",
    422: "Invalid input", 500: "Server error",
}


def engine():
    """The Engine of this app."""
    return current_app.extensions["probidad_engine"]


def problem(status: int, detail: str = "", **extra: Any) -> Response:
    """An RFC 9457 problem details response."""
    body = {"type": f"https://probidad.pe/problems/{_TYPES.get(status, 'error')}",
            "title": _TITLES.get(status, "Error"), "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="probidad"'
    return response


@bp.errorhandler(ProbidadError)
def _engine_error(exc: ProbidadError):
    if isinstance(exc, FormInvalid):
        return problem(422, "some fields are invalid", errors=exc.errors)
    if isinstance(exc, NotFound):
        return problem(404, "not found")
    if isinstance(exc, AccessDenied):
        return problem(403, str(exc))
    if isinstance(exc, StaleCase | Conflict):
        return problem(409, str(exc))
    if isinstance(exc, InvalidInput):
        return problem(422, str(exc))
    return problem(500)


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    return problem(exc.code or 500)


@bp.errorhandler(Exception)
def _unexpected(exc: Exception):
    current_app.logger.error("api error: %s", type(exc).__name__)
    return problem(500)


@bp.before_request
def _authenticate():
    if request.endpoint == "api.openapi":
        return None
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header[:7].lower() == "bearer " else None
    try:
        g.api_client = engine().authenticate_api_token(token)
    except AccessDenied:
        return problem(401, "a valid API token is required")
    return None


def _json_body() -> dict[str, Any]:
    if request.mimetype != "application/json":
        raise _Refused(415, "the body must be application/json")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise _Refused(400, "the body must be a JSON object")
    return body


class _Refused(Exception):
    def __init__(self, status: int, detail: str):
        super().__init__(detail)
        self.status, self.detail = status, detail


@bp.errorhandler(_Refused)
def _refused(exc: _Refused):
    return problem(exc.status, exc.detail)


def roles(*codes: str):
    """Require the token's role to be one of `codes`."""
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not g.api_client.has_role(*codes):
                return problem(403, "this token's role may not do this")
            return view(*args, **kwargs)
        return wrapped
    return decorator


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise _Refused(400, f"{name} must be an integer") from None
    if not low <= value <= high:
        raise _Refused(400, f"{name} must be between {low} and {high}")
    return value


# -- serialisation -----------------------------------------------------------------------------
def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _case_json(view, facts: list[tuple[str, str]]) -> dict[str, Any]:
    grouped: dict[str, list[str]] = {}
    for key, value in facts:
        grouped.setdefault(key, []).append(value)
    return {
        "id": view.id, "process_id": view.process_id, "process_version": view.process_version,
        "version": view.version, "status": view.status, "outcome": view.outcome, "created_at": _iso(view.created_at),
        "facts": grouped,
        "deadlines": [{"policy": d.policy, "title": d.title, "due_at": _iso(d.due_at), "state": d.state}
                      for d in view.deadlines],
        "tasks": [_task_json(t) for t in view.tasks],
    }


def _task_json(task) -> dict[str, Any]:
    return {"id": task.id, "case_id": task.case_id, "process_id": task.process_id, "name": task.name,
            "title": task.title, "lane": task.lane, "due_at": _iso(task.due_at), "state": task.state,
            "assignee": task.assignee}


def _own_case(case_id: str):
    view = engine().case(case_id)
    if view.tenant_id != g.api_client.tenant_id or view.status == "shredded":
        raise NotFound(f"case {case_id} not found")
    return view


# -- endpoints ---------------------------------------------------------------------------------
@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3 document of this API, generated from the operation specs of the views."""
    return jsonify(build_spec(current_app, url_for("api.openapi", _external=False)))


@bp.get("/cases")
@operation("listCases")
def list_cases():
    """Cases of the token's entity, newest first (metadata only)."""
    limit = _int_arg("limit", 100, 1, 1000)
    process_id, status = request.args.get("process_id"), request.args.get("status")
    cases = engine().cases(process_id=process_id, tenant=g.api_client.tenant_id, status=status, limit=limit)
    return jsonify({"items": [{"id": c.id, "process_id": c.process_id, "status": c.status, "outcome": c.outcome,
                               "created_at": _iso(c.created_at)} for c in cases]})


@bp.post("/cases")
@operation("createIntake")
@roles("mesa_de_partes", "oii", "chief")
def create_intake():
    """Register a complaint (denuncia) with the common complaint fields; content is sealed."""
    body = _json_body()
    unknown = sorted(set(body) - set(INTAKE_FIELDS))
    if unknown:
        return problem(422, "unknown fields", errors={k: "unknown field" for k in unknown})
    data, content = engine().split_form_data("denuncia", None, body)
    case_id = engine().start_case_with_content("denuncia", data, content, actor=g.api_client.id,
                                               tenant=g.api_client.tenant_id)
    response = jsonify(_case_json(engine().case(case_id), engine().case_facts(case_id)))
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_case", case_id=case_id)
    return response


@bp.get("/cases/<case_id>")
@operation("getCase")
def get_case(case_id: str):
    """A case's status, metadata (allow-listed facts), deadlines and ready tasks."""
    view = _own_case(case_id)
    return jsonify(_case_json(view, engine().case_facts(case_id)))


@bp.get("/tasks")
@operation("listTasks")
def list_tasks():
    """Ready tasks of the token's entity in the token's role (lane); all lanes for a chief."""
    client = g.api_client
    lanes = None if client.has_role("chief") else [client.role]
    limit = _int_arg("limit", 100, 1, 1000)
    tasks = engine().tasks(case_id=request.args.get("case_id"), lanes=lanes, tenant=client.tenant_id, limit=limit)
    return jsonify({"items": [_task_json(t) for t in tasks]})


@bp.post("/tasks/<task_id>/claim")
@operation("claimTask")
def claim_task(task_id: str):
    """Take a ready task of the token's lane."""
    engine().claim_task(g.api_client, task_id)
    return jsonify(_task_json(engine().task(task_id)))


@bp.post("/tasks/<task_id>/complete")
@operation("completeTask")
def complete_task(task_id: str):
    """Complete a task with its form's fields; content fields are sealed, never put in workflow state."""
    body = _json_body()
    task = engine().task_for(g.api_client, task_id)
    fields = body.get("data", {})
    expected = body.get("expected_version")
    if not isinstance(fields, dict) or (expected is not None and not isinstance(expected, int)):
        return problem(400, "data must be an object and expected_version an integer")
    data, content = engine().split_form_data(task.process_id, task.form_id, fields)
    for name, text in content.items():
        engine().put_content(task.case_id, name, text, actor=g.api_client.id)
    engine().complete_task(task_id, data, actor=g.api_client.id, expected_version=expected)
    return jsonify({"case": _case_json(engine().case(task.case_id), engine().case_facts(task.case_id))})


@bp.get("/deadlines")
@operation("listDeadlines")
def list_deadlines():
    """Office deadlines of the token's entity with their SLA outcome (on_time, late, running)."""
    items = engine().deadline_report(g.api_client.tenant_id, request.args.get("process_id"))
    outcome = request.args.get("outcome")
    if outcome:
        items = [d for d in items if d["outcome"] == outcome]
    return jsonify({"items": items})


def _download(data: bytes, fmt: str, stem: str) -> Response:
    mimetypes = {"csv": "text/csv; charset=utf-8",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
    response = Response(data, content_type=mimetypes[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response


def _format() -> str:
    fmt = request.args.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        raise _Refused(400, "format must be csv or xlsx")
    return fmt


@bp.get("/exports/cases")
@operation("exportCases")
@roles(*EXPORT_ROLES)
def export_cases():
    """The entity's case list as CSV or XLSX with the chosen fields (audited)."""
    fmt = _format()
    fields = [f for f in request.args.get("fields", "").split(",") if f] or None
    data = engine().export_cases(g.api_client.id, fmt, fields, g.api_client.tenant_id,
                                 request.args.get("process_id"), request.args.get("status"))
    return _download(data, fmt, "casos")


@bp.get("/exports/reprac")
@operation("exportReprac")
@roles(*EXPORT_ROLES)
def export_reprac():
    """The entity's quarterly REPRAC report as CSV or XLSX (audited)."""
    fmt = _format()
    year, quarter = _int_arg("year", 0, 2000, 2100), _int_arg("quarter", 0, 1, 4)
    if not year or not quarter:
        return problem(400, "year and quarter are required")
    data = engine().export_reprac(g.api_client.id, year, quarter, fmt, g.api_client.tenant_id)
    return _download(data, fmt, f"reprac-{year}-T{quarter}")


__all__ = ["OPERATIONS", "bp"]
