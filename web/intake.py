"""Public complaint intake (`/denuncia`): a multi-step form, the receipt shown once, a PDF receipt.

Workflow data (channel, flags, categories, dates) starts the `denuncia` case; narrative, accused and
evidence are sealed as content; attachments are sealed in memory; the identity is sealed for the
custodian only and the case carries its código cifrado. Nothing about the sender (IP address,
User-Agent) is read or stored.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, render_template, request
from flask_babel import gettext as _

from engine.errors import ConfigurationError, FormInvalid, InvalidInput, ProbidadError
from web.forms import field_errors
from web.security import engine, limit

OCTET = "application/octet-stream"
bp = Blueprint("intake", __name__)
PROCESS = "denuncia"
MAX_FILES = 5
COMPLAINANT = "complainant"


def tracking_code(case_id: str) -> str:
    """The public case code (not a secret: it opens nothing)."""
    return case_id[:8].upper()


def _start_form():
    info = engine().process_info(PROCESS)
    if info is None or not info.start_form:
        abort(404)
    return engine().form(PROCESS, info.start_form)


def _entities():
    return [e for e in engine().entities() if e.active]


def _raw_submission(form) -> dict:
    data = request.form
    anonymous = data.get("identify") != "yes"
    name, role = data.get("accused_name", "").strip(), data.get("accused_role", "").strip()
    raw = {
        "channel": "web",
        "anonymous": "on" if anonymous else "off",
        "protection_requested": "on" if (not anonymous and data.get("protection_requested")) else "off",
        "reason_categories": [v for v in data.getlist("reason_categories") if v],
        "fact_date": data.get("fact_date", ""),
        "narrative": data.get("narrative", ""),
        "accused": f"{name} — {role}" if name and role else name or role,
        "evidence": data.get("evidence", ""),
    }
    if not anonymous:
        raw["identity"] = data.get("identity", "")
        raw["contact"] = data.get("contact", "")
    known = {f.name for f in form.fields}
    return {k: v for k, v in raw.items() if k in known and v not in ("", [])}


def _render_form(form, errors=None, status=200):
    values = request.form if request.method == "POST" else {}
    return render_template("intake/form.html", form=form, fields={f.name: f for f in form.fields},
                           entities=_entities(), values=values, errors=errors or {}), status


@bp.get("/denuncia")
def start():
    """The complaint form (steps shown one at a time with JavaScript, all at once without)."""
    return _render_form(_start_form())[0]


def _files():
    files = [f for f in request.files.getlist("attachments") if f and f.filename]
    if len(files) > MAX_FILES:
        raise FormInvalid({"attachments": "too many"})
    return files


def _validate(form):
    errors: dict[str, str] = {}
    tenant = request.form.get("entity", "")
    if tenant not in {e.id for e in _entities()}:
        errors["entity"] = _("Elija una entidad.")
    try:
        workflow, content = engine().split_form_data(PROCESS, form.id, _raw_submission(form))
    except FormInvalid as exc:
        errors.update(field_errors(exc.errors))
        workflow, content = {}, {}
    if request.form.get("identify") == "yes" and not request.form.get("identity", "").strip():
        errors["identity"] = _("Escriba su nombre y documento, o elija denunciar de forma anónima.")
    try:
        files = _files()
    except FormInvalid:
        errors["attachments"] = _("Puede adjuntar hasta %(n)s archivos.", n=MAX_FILES)
        files = []
    return tenant, workflow, content, files, errors


@bp.post("/denuncia")
def submit():
    """Start the case, seal content, identity and attachments, then show the receipt once."""
    limit("intake")
    form = _start_form()
    tenant, workflow, content, files, errors = _validate(form)
    if errors:
        return _render_form(form, errors, 422)
    identity = {k: content.pop(k) for k in ("identity", "contact") if k in content}
    case_id = engine().start_case_with_content(PROCESS, workflow, content, actor=COMPLAINANT, tenant=tenant)
    name = request.form.get("accused_name", "").strip()
    if name:
        engine().mark_accused(case_id, [name], actor=COMPLAINANT)
    problems = _seal_extras(case_id, identity, files)
    receipt = engine().issue_receipt(case_id)
    return render_template("intake/receipt.html", receipt=receipt, code=tracking_code(case_id),
                           problems=problems)


def _seal_extras(case_id: str, identity: dict, files) -> list[str]:
    problems = []
    if identity:
        try:
            engine().seal_identity(case_id, identity, actor=COMPLAINANT)
        except (ConfigurationError, InvalidInput):
            problems.append(_("Su identidad no pudo guardarse. Su denuncia quedó como anónima; puede "
                              "agregar su identidad más tarde en Seguimiento."))
    for upload in files:
        try:
            engine().add_attachment(case_id, upload.filename, upload.read(), upload.mimetype or OCTET, COMPLAINANT)
        except ProbidadError:
            problems.append(_("Un archivo no pudo adjuntarse (tipo o tamaño no permitido). Puede "
                              "adjuntarlo más tarde en Seguimiento."))
    return problems


@bp.post("/denuncia/listo")
def saved():
    """The complainant confirms they saved the receipt."""
    if not request.form.get("saved"):
        flash(_("Confirme que guardó su código de recibo."), "error")
        return render_template("intake/receipt.html", receipt=request.form.get("receipt", "")[:40],
                               code=request.form.get("code", "")[:12], problems=[]), 422
    return render_template("intake/done.html")


@bp.post("/denuncia/comprobante.pdf")
def receipt_pdf():
    """The printable receipt; only for a valid receipt (the complainant sends it back)."""
    limit("receipt_global")
    receipt = request.form.get("receipt", "")[:40]
    case_id = engine().check_receipt(receipt)
    if case_id is None:
        abort(404)
    from web.pdf import receipt_pdf as build

    case = engine().case(case_id)
    body = build(tracking_code(case_id), receipt, case.created_at)
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="denuncia-{tracking_code(case_id)}.pdf"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response

