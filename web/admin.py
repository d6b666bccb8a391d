"""Administration (`/admin`): users, roles, entities, extra non-working days, SLA overrides (with their
legal basis) and deployed processes. Admins manage accounts and calendars but never see content;
auditors read the process list and the audit-chain check.
"""

from __future__ import annotations

import secrets
from datetime import date

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.errors import Conflict, InvalidInput, NotFound
from web.security import engine, login_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@login_required("admin", "auditor")
def index():
    """Overview: processes and versions, audit chain."""
    report = engine().audit_verify()
    return render_template("admin/index.html", definitions=engine().definitions(), report=report)


@bp.route("/usuarios", methods=["GET", "POST"])
@login_required("admin")
def users():
    """List and create users."""
    new_password = None
    if request.method == "POST":
        new_password = secrets.token_urlsafe(12)
        try:
            engine().create_user(request.form.get("username", ""), new_password, request.form.get("full_name", ""),
                                 request.form.getlist("roles"), tenant=request.form.get("tenant") or g.user.tenant_id,
                                 superior=request.form.get("superior") or None, actor=g.user.id)
            flash(_("Usuario creado. Entregue la contraseña inicial por un canal seguro."), "ok")
        except (InvalidInput, Conflict, NotFound):
            new_password = None
            flash(_("No se pudo crear el usuario: revise el nombre de usuario, los roles y la entidad."), "error")
    return render_template("admin/users.html", users=engine().users(), roles=engine().roles(),
                           entities=engine().entities(), new_password=new_password)


@bp.post("/usuarios/<user_id>")
@login_required("admin")
def update_user(user_id: str):
    """Change roles, entity, superior or the active flag."""
    try:
        engine().update_user(user_id, g.user.id, roles=tuple(request.form.getlist("roles")),
                             active=request.form.get("active") == "on",
                             superior_id=request.form.get("superior") or None)
        flash(_("Usuario actualizado."), "ok")
    except (InvalidInput, NotFound):
        flash(_("No se pudo actualizar el usuario."), "error")
    return redirect(url_for("admin.users"))


@bp.post("/usuarios/<user_id>/clave")
@login_required("admin")
def reset_password(user_id: str):
    """A new random password and TOTP enrolment at next login. Grants no access to any content."""
    password = secrets.token_urlsafe(12)
    engine().reset_password(user_id, password, actor=g.user.id)
    engine().enroll_totp(user_id, actor=g.user.id)
    return render_template("admin/users.html", users=engine().users(), roles=engine().roles(),
                           entities=engine().entities(), new_password=password)


@bp.route("/entidades", methods=["GET", "POST"])
@login_required("admin")
def entities():
    """List and create entities (tenants)."""
    if request.method == "POST":
        try:
            engine().create_entity(request.form.get("code", ""), request.form.get("name", ""), actor=g.user.id)
            flash(_("Entidad creada."), "ok")
        except (InvalidInput, Conflict):
            flash(_("No se pudo crear la entidad."), "error")
    return render_template("admin/entities.html", entities=engine().entities())


@bp.route("/calendario", methods=["GET", "POST"])
@login_required("admin")
def calendar():
    """Extra non-working days of my entity (LPAG 134: supreme decrees, regional holidays, closures)."""
    tenant = g.user.tenant_id
    if request.method == "POST":
        try:
            day = date.fromisoformat(request.form.get("day", ""))
        except ValueError:
            flash(_("Fecha no válida."), "error")
            return redirect(url_for("admin.calendar"))
        if request.form.get("action") == "remove":
            engine().remove_extra_day(day, actor=g.user.id, tenant=tenant)
        else:
            engine().add_extra_day(day, request.form.get("reason", "").strip()[:200] or "-", actor=g.user.id,
                                   tenant=tenant)
        flash(_("Calendario actualizado."), "ok")
    return render_template("admin/calendar.html", days=engine().extra_days(tenant))


@bp.route("/plazos", methods=["GET", "POST"])
@login_required("admin")
def policies():
    """SLA policies, their legal basis, and my entity's overrides."""
    tenant = g.user.tenant_id
    if request.method == "POST":
        try:
            engine().set_policy_override(request.form.get("policy", ""), request.form.get("length", -1, type=int),
                                         request.form.get("basis", ""), actor=g.user.id, tenant=tenant)
            flash(_("Plazo actualizado. Los plazos en curso no cambian."), "ok")
        except (InvalidInput, NotFound):
            flash(_("Indique una duración válida y el fundamento legal."), "error")
    return render_template("admin/policies.html", policies=engine().policies(tenant))
