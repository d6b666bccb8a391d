"""The auditor's BPMN designer: the page and its JSON API (docs/designer.md), role `auditor` only.

The browser side is the bpmn-js bundle in web/static/designer/. Every POST carries the CSRF token
in `X-CSRFToken` (Flask-WTF checks it) and JSON; every error of these routes is JSON
(`{"error": ...}` or `{"problems": [...]}`), never an HTML page. The XML is untrusted
(SECURITY.md 12): the engine parses it safely and never executes it outside the sandbox.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from functools import wraps
from typing import Any

from flask import Blueprint, Response, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from engine.errors import InvalidBpmn, NotFound, ProbidadError
from web.i18n import lang
from web.security import engine, login_required

bp = Blueprint("designer", __name__, url_prefix="/disenador")
log = logging.getLogger("probidad.web")
ROLE = "auditor"
MAX_XML = 5 * 1024 * 1024


class ApiError(Exception):
    """An error answered as `{"error": message}` with a status."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def _json(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _problem(p) -> dict[str, Any]:
    return {"element_id": p.element_id, "message": p.message, "severity": p.severity}


def api(view):
    """JSON route for auditors: 401/403 as JSON instead of a login redirect."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if g.get("user") is None:
            raise ApiError(401, _("Inicie sesión de nuevo."))
        if not g.user.has_role(ROLE):
            raise ApiError(403, _("No tiene permiso para usar el diseñador."))
        return view(*args, **kwargs)
    return wrapped


def _body() -> dict[str, Any]:
    if not request.is_json:
        raise ApiError(415, _("Se esperaba JSON."))
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, _("Se esperaba un objeto JSON."))
    return body


def _xml(body: dict[str, Any]) -> bytes:
    text = body.get("xml")
    if not isinstance(text, str) or not text.strip():
        raise ApiError(400, _("Falta el diagrama (xml)."))
    data = text.encode("utf-8")
    if len(data) > MAX_XML:
        raise ApiError(413, _("El diagrama es demasiado grande."))
    return data


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError):
    return jsonify({"error": exc.message}), exc.status


@bp.errorhandler(InvalidBpmn)
def _invalid_bpmn(exc: InvalidBpmn):
    problems = [_problem(p) for p in exc.problems]
    return jsonify({"error": "; ".join(p["message"] for p in problems)[:500], "problems": problems}), 422


@bp.errorhandler(ProbidadError)
def _engine_error(exc: ProbidadError):
    if isinstance(exc, NotFound):
        return jsonify({"error": _("No encontrado.")}), 404
    log.warning("designer request refused: %s", type(exc).__name__)
    return jsonify({"error": str(exc)[:500]}), 400


@bp.errorhandler(CSRFError)
@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    if request.path.startswith("/disenador/api"):
        return jsonify({"error": exc.name}), exc.code or 500
    return exc


@bp.get("")
@login_required(ROLE)
def page():
    """The designer page."""
    return render_template("designer.html")


@bp.get("/api")
@api
def api_root():
    """The API base (what the page's `data-api` points to)."""
    return jsonify({"routes": ["meta", "processes", "drafts", "validate", "dryrun", "diff", "deploy"]})


@bp.get("/api/meta")
@api
def meta():
    """Roles, forms and SLA policies offered in the properties panel."""
    return jsonify(engine().designer_meta(lang()))


@bp.get("/api/processes")
@api
def processes():
    """Deployed processes and their versions, with running cases."""
    return jsonify(_json(engine().process_versions()))


@bp.get("/api/processes/<process_id>/<int:version>/xml")
@api
def process_xml(process_id: str, version: int):
    """The XML of one deployed version."""
    xml = engine().process_xml(process_id[:100], version)
    return Response(xml, mimetype="application/xml")


@bp.get("/api/drafts")
@api
def drafts():
    """The entity's drafts, newest first."""
    return jsonify(_json(engine().list_drafts(tenant=g.user.tenant_id)))


@bp.post("/api/drafts")
@api
def save_draft():
    """Save a draft; answer its id."""
    body = _body()
    process_id = body.get("process_id") if isinstance(body.get("process_id"), str) else None
    draft_id = engine().save_draft(_xml(body), process_id, author=g.user.username, tenant=g.user.tenant_id)
    return jsonify({"id": draft_id}), 201


@bp.get("/api/drafts/<draft_id>")
@api
def get_draft(draft_id: str):
    """One draft: its XML and process id."""
    draft = engine().get_draft(draft_id[:64], tenant=g.user.tenant_id)
    return jsonify({"xml": draft["xml"].decode("utf-8", "replace"), "process_id": draft["process_id"]})


@bp.post("/api/validate")
@api
def validate():
    """Every problem of the diagram, with element ids (200 even when not ok)."""
    problems = engine().validate(_xml(_body()), "diagrama.bpmn")
    return jsonify({"ok": not any(p.severity == "error" for p in problems),
                    "problems": [_problem(p) for p in problems]})


@bp.post("/api/dryrun")
@api
def dryrun():
    """Simulate the diagram with chosen decisions from a start date (nothing is stored)."""
    body = _body()
    try:
        start = date.fromisoformat(str(body.get("start_date") or engine().lima_today().isoformat()))
    except ValueError:
        raise ApiError(400, _("La fecha de inicio no es válida (AAAA-MM-DD).")) from None
    decisions = body.get("decisions") or {}
    if not isinstance(decisions, dict):
        raise ApiError(400, _("Las decisiones deben ser un objeto JSON."))
    result = engine().dry_run(_xml(body), start, decisions, tenant=g.user.tenant_id)
    return jsonify(_json(result))


@bp.post("/api/diff")
@api
def diff():
    """What deploying this diagram would change against the running version."""
    return jsonify(_json(engine().diff_against_running(_xml(_body()))))


@bp.post("/api/deploy")
@api
def deploy():
    """Validate and deploy a new version (audited); 422 with the problems when it is not valid."""
    xml = _xml(_body())
    process_id = engine().diff_against_running(xml)["process_id"]
    results = engine().deploy_xml(xml, f"{process_id}.bpmn", actor=g.user.id)
    main = next((r for r in results if r.process_id == process_id), results[0])
    return jsonify({"process_id": main.process_id, "version": main.version, "sha256": main.sha256})
