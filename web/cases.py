"""Case pages (`/casos/<id>`): timeline from the audit log, deadlines, links, content for authorised
roles, attachments as downloads, the código cifrado instead of the identity, and a custodian-only
identity panel. Anyone without access gets the same 404 as for a case that does not exist.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.errors import AccessDenied, ConfigurationError, Conflict, InvalidInput
from web.i18n import lang
from web.intake import tracking_code
from web.security import engine, login_required

bp = Blueprint("cases", __name__)
CASE_ROLES = ("mesa_de_partes", "oii", "chief", "custodian", "st_pad", "instructing_authority",
              "deciding_authority", "appeal_body", "hr", "oci", "entity_head")
IDENTITY_KEYS = frozenset({"identity", "contact"})


def _access(case_id: str):
    access = engine().case_access(g.user, case_id)
    if not access.view:
        abort(404)
    return access


def _timeline(case_id: str):
    names = {u.id: u.username for u in engine().users(g.user.tenant_id)}
    return [{"at": e.at, "actor": names.get(e.actor, e.actor), "action": e.action}
            for e in engine().audit_for_case(case_id)]


@bp.get("/casos/<case_id>")
@login_required(*CASE_ROLES)
def show(case_id: str):
    """The case page."""
    access = _access(case_id)
    view = engine().case(case_id)
    content, comments, files = {}, [], []
    if access.content:
        content = {k: v for k, v in engine().content(case_id, actor=g.user.id).items() if k not in IDENTITY_KEYS}
        comments = engine().comments(case_id, actor=g.user.id)
        files = engine().attachments(case_id, actor=g.user.id)
    info = engine().process_info(view.process_id)
    titles = {p["id"]: p["title_en" if lang() == "en" else "title_es"] for p in engine().policies(view.tenant_id)}
    pending = _pending_requests(case_id) if access.identity_panel else []
    return render_template(
        "cases/case.html", pending=pending, view=view, access=access, content=content, comments=comments, files=files,
        timeline=_timeline(case_id) if access.content else [], code=tracking_code(case_id),
        identity_code=engine().identity_code(case_id), titles=titles,
        process_title=info.title(lang()) if info else view.process_id,
        status=engine().status_label(view, lang()), link_code=tracking_code,
        labels={f.name: f for form in (info.forms.values() if info else ()) for f in form.fields})


def _pending_requests(case_id: str) -> list[dict]:
    """Release requests not decided yet, read from the case's audit trail."""
    entries = engine().audit_for_case(case_id)
    requested = [e for e in entries if e.action == "identity.release_request"]
    decided = {e.details.get("request_id") for e in entries
               if e.action.startswith("identity.") and e.action != "identity.release_request"}
    names = {u.id: u.username for u in engine().users(g.user.tenant_id)}
    return [{"id": e.details.get("request_id"), "officer": names.get(e.details.get("officer"), "?"), "at": e.at}
            for e in requested if e.details.get("request_id") not in decided]


@bp.post("/casos/<case_id>/identidad/ver")
@login_required(*CASE_ROLES)
def read_identity(case_id: str):
    """An officer to whom the custodian released the identity reads it (password unlocks their key)."""
    if not _access(case_id).content:
        abort(404)
    try:
        identity = engine().read_identity(case_id, g.user.id, request.form.get("password", "")[:200])
    except (AccessDenied, ConfigurationError, InvalidInput, Conflict):
        flash(_("No tiene acceso a la identidad de este caso."), "error")
        return redirect(url_for("cases.show", case_id=case_id))
    return render_template("cases/identity.html", identity=identity, code=tracking_code(case_id), case_id=case_id)


@bp.get("/casos/<case_id>/adjuntos/<attachment_id>")
@login_required(*CASE_ROLES)
def attachment(case_id: str, attachment_id: str):
    """Download an attachment: always as a file, never rendered inline."""
    if not _access(case_id).content:
        abort(404)
    filename, _ctype, data = engine().attachment(case_id, attachment_id, actor=g.user.id)
    safe = "".join(ch for ch in filename if ch.isalnum() or ch in "._- ")[:100].strip() or "adjunto"
    response = Response(data, mimetype="application/octet-stream")
    response.headers["Content-Disposition"] = f'attachment; filename="{safe}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.post("/casos/<case_id>/mensajes")
@login_required(*CASE_ROLES)
def message(case_id: str):
    """Write to the complainant (visible in their follow-up page)."""
    if not _access(case_id).content:
        abort(404)
    text = request.form.get("text", "").strip()
    if text:
        engine().add_comment(case_id, text[:8000], actor=g.user.id, author_kind="officer")
        flash(_("Mensaje enviado al denunciante."), "ok")
    return redirect(url_for("cases.show", case_id=case_id))


@bp.post("/casos/<case_id>/identidad/solicitar")
@login_required(*CASE_ROLES)
def request_identity(case_id: str):
    """Ask the custodian to release the identity to me, with a legal basis."""
    if not _access(case_id).content:
        abort(404)
    basis = request.form.get("basis", "").strip()[:300]
    try:
        engine().request_identity_release(case_id, g.user.id, basis, actor=g.user.id)
        flash(_("Solicitud enviada al custodio de identidad."), "ok")
    except (AccessDenied, ConfigurationError, InvalidInput, Conflict):
        flash(_("La solicitud fue rechazada (sin custodio configurado o sin fundamento legal)."), "error")
    return redirect(url_for("cases.show", case_id=case_id))


@bp.post("/casos/<case_id>/identidad/decidir")
@login_required("custodian")
def decide_identity(case_id: str):
    """The custodian approves or denies a release request with their passphrase."""
    if not _access(case_id).identity_panel:
        abort(404)
    try:
        engine().decide_identity_release(request.form.get("request_id", "")[:64],
                                         request.form.get("passphrase", "")[:200],
                                         request.form.get("decision") == "approve", actor=g.user.id)
        flash(_("Decisión registrada."), "ok")
    except (AccessDenied, ConfigurationError, InvalidInput, Conflict):
        flash(_("No se pudo registrar la decisión."), "error")
    return redirect(url_for("cases.show", case_id=case_id))
