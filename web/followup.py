"""Complainant follow-up (`/seguimiento`): receipt login, plain status, deadlines, two-way messages,
more information or files, identity added later, and a request for protection measures.

Receipt attempts are limited per receipt prefix (an HMAC of it, in memory) and globally; never per
IP address. Comments on a case are the two-way channel: everything in it is visible to the
complainant; officers keep internal notes in task forms instead.
"""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.errors import ConfigurationError, Conflict, FormInvalid, InvalidInput, ProbidadError
from web.i18n import lang
from web.intake import tracking_code
from web.security import begin_session, complainant_required, end_session, engine, limit

OCTET = "application/octet-stream"
bp = Blueprint("followup", __name__)
ACTOR = "complainant"


@bp.route("/seguimiento", methods=["GET", "POST"])
def login():
    """Enter the receipt."""
    if request.method == "GET":
        if g.get("complainant_case"):
            return redirect(url_for("followup.case"))
        return render_template("followup/login.html")
    receipt = request.form.get("receipt", "")[:40]
    prefix = "".join(ch for ch in receipt.upper() if ch.isalnum())[:4]
    limit("receipt", prefix)
    case_id = engine().check_receipt(receipt)
    if case_id is None:
        flash(_("El código de recibo no es válido."), "error")
        return render_template("followup/login.html"), 200
    begin_session("complainant", case_id)
    return redirect(url_for("followup.case"))


def _deadline_titles() -> dict[str, str]:
    key = "title_en" if lang() == "en" else "title_es"
    return {p["id"]: p[key] for p in engine().policies()}


@bp.get("/seguimiento/caso")
@complainant_required
def case():
    """Status in plain words, deadlines and messages."""
    case_id = g.complainant_case
    view = engine().case(case_id)
    comments = engine().comments(case_id, actor=ACTOR)
    files = [a for a in engine().attachments(case_id, actor=ACTOR) if a.created_by == ACTOR]
    return render_template(
        "followup/case.html", view=view, code=tracking_code(case_id), status=engine().status_label(view, lang()),
        deadlines=[d for d in view.deadlines if d.state == "waiting"], titles=_deadline_titles(),
        comments=comments, files=files, identity_code=engine().identity_code(case_id))


@bp.post("/seguimiento/mensaje")
@complainant_required
def message():
    """Send a message or more information to the office."""
    text = request.form.get("text", "").strip()
    if not text:
        flash(_("Escriba un mensaje."), "error")
    else:
        engine().add_comment(g.complainant_case, text[:8000], actor=ACTOR, author_kind="complainant")
        flash(_("Mensaje enviado."), "ok")
    return redirect(url_for("followup.case"))


@bp.post("/seguimiento/adjunto")
@complainant_required
def attach():
    """Add a file to the complaint."""
    limit("upload")
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Elija un archivo."), "error")
        return redirect(url_for("followup.case"))
    try:
        engine().add_attachment(g.complainant_case, upload.filename, upload.read(), upload.mimetype or OCTET, ACTOR)
        flash(_("Archivo adjuntado."), "ok")
    except InvalidInput:
        flash(_("El archivo no pudo adjuntarse (tipo o tamaño no permitido)."), "error")
    return redirect(url_for("followup.case"))


@bp.post("/seguimiento/identidad")
@complainant_required
def identity():
    """Add one's identity later (sealed for the custodian)."""
    name = request.form.get("identity", "").strip()[:400]
    contact = request.form.get("contact", "").strip()[:200]
    if not name:
        flash(_("Escriba su nombre y documento."), "error")
        return redirect(url_for("followup.case"))
    try:
        engine().seal_identity(g.complainant_case, {"identity": name, "contact": contact}, actor=ACTOR)
        flash(_("Su identidad quedó guardada de forma reservada."), "ok")
    except Conflict:
        flash(_("Su identidad ya estaba registrada."), "error")
    except (ConfigurationError, InvalidInput):
        flash(_("Su identidad no pudo guardarse ahora. Inténtelo más tarde."), "error")
    return redirect(url_for("followup.case"))


@bp.post("/seguimiento/proteccion")
@complainant_required
def protection():
    """Ask for protection measures (DL 1327 art. 8); needs an identified complaint."""
    case_id = g.complainant_case
    code = engine().identity_code(case_id)
    if code is None:
        flash(_("Para pedir medidas de protección primero agregue su identidad."), "error")
        return redirect(url_for("followup.case"))
    raw = {"requester_kind": "complainant", "identity_code": code, "request_date": engine().lima_today().isoformat()}
    try:
        data, _content = engine().split_form_data("proteccion", None, raw)
        engine().start_case("proteccion", data, actor=ACTOR, tenant=engine().case(case_id).tenant_id)
        engine().add_comment(case_id, _("Solicito medidas de protección."), actor=ACTOR, author_kind="complainant")
        flash(_("Su solicitud de medidas de protección fue registrada."), "ok")
    except (FormInvalid, ProbidadError):
        flash(_("La solicitud no pudo registrarse ahora. Inténtelo más tarde."), "error")
    return redirect(url_for("followup.case"))


@bp.post("/seguimiento/salir")
def logout():
    """Close the follow-up session."""
    end_session()
    return redirect(url_for("followup.login"))
