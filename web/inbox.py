"""The officer inbox (`/bandeja`) and task forms (`/tareas/<id>`).

Tasks of my roles' lanes in my entity, overdue first, then by due date, with business days left in
colour; filters and pagination; claim, release and reassignment by a chief. A form submitted
against a case that changed meanwhile is shown again with everything typed and a "reload" notice.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.errors import Conflict, FormInvalid, StaleCase
from web.forms import field_errors, read_form
from web.i18n import lang
from web.intake import tracking_code
from web.security import engine, login_required

bp = Blueprint("inbox", __name__)
PAGE_SIZE = 20
OFFICER_ROLES = ("mesa_de_partes", "oii", "chief", "custodian", "st_pad", "instructing_authority",
                 "deciding_authority", "appeal_body", "hr", "oci", "entity_head")


def urgency(days_left: int | None) -> str:
    """A colour class for business days left."""
    if days_left is None:
        return "none"
    if days_left < 0:
        return "overdue"
    if days_left <= 2:
        return "soon"
    return "ok"


def _deadline_filter(rows, wanted: str):
    if wanted == "overdue":
        return [r for r in rows if r[1] is not None and r[1] < 0]
    if wanted == "week":
        return [r for r in rows if r[1] is not None and r[1] <= 5]
    return rows


@bp.get("/bandeja")
@login_required(*OFFICER_ROLES)
def index():
    """My tasks."""
    process = request.args.get("process") or None
    mine = request.args.get("mine") == "1"
    deadline = request.args.get("deadline", "")
    page = max(1, request.args.get("page", 1, type=int) or 1)
    tasks, _total = engine().inbox(g.user, process_id=process, mine_only=mine, limit=5000)
    rows = [(t, engine().business_days_left(t.due_at, g.user.tenant_id)) for t in tasks]
    rows = _deadline_filter(rows, deadline)
    total = len(rows)
    rows = rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    processes = sorted({d.process_id for d in engine().definitions()})
    notices = _notifications()
    return render_template("inbox/list.html", rows=rows, total=total, page=page, pages=max(1, -(-total // PAGE_SIZE)),
                           process=process, mine=mine, deadline=deadline, processes=processes, urgency=urgency,
                           code=tracking_code, notices=notices)


def _notifications():
    finder = getattr(engine(), "notifications", None)
    return finder(g.user.id, unread_only=True, limit=10) if finder else []


@bp.post("/avisos/<int:notice_id>/leido")
@login_required(*OFFICER_ROLES)
def notice_read(notice_id: int):
    """Mark a notification as read."""
    engine().mark_notification_read(notice_id, g.user.id)
    return redirect(url_for("inbox.index"))


def _task_page(task, values=None, errors=None, stale=False, status=200):
    form = engine().form(task.process_id, task.form_id)
    case = engine().case(task.case_id)
    officers = []
    if g.user.has_role("chief"):
        officers = [u for u in engine().users(g.user.tenant_id) if task.lane in u.roles and u.active]
    info = engine().process_info(task.process_id)
    return render_template("inbox/task.html", task=task, form=form, case=case, values=values or {},
                           errors=errors or {}, stale=stale, officers=officers, code=tracking_code(task.case_id),
                           process_title=info.title(lang()) if info else task.process_id,
                           days_left=engine().business_days_left(task.due_at, g.user.tenant_id),
                           urgency=urgency), status


@bp.get("/tareas/<task_id>")
@login_required(*OFFICER_ROLES)
def task(task_id: str):
    """A task form."""
    found = engine().task_for(g.user, task_id)
    if found.state != "ready":
        abort(404)
    return _task_page(found)[0]


@bp.post("/tareas/<task_id>")
@login_required(*OFFICER_ROLES)
def submit(task_id: str):
    """Validate and complete a task; workflow data to the engine, content sealed."""
    found = engine().task_for(g.user, task_id)
    form = engine().form(found.process_id, found.form_id)
    raw = read_form(form, request.form)
    values = {**request.form.to_dict(), **{k: v for k, v in raw.items() if isinstance(v, list)}}
    if found.state != "ready":
        return _task_page(found, values, stale=True, status=409)
    try:
        workflow, content = engine().split_form_data(found.process_id, found.form_id, raw)
    except FormInvalid as exc:
        return _task_page(found, values, field_errors(exc.errors), status=422)
    expected = request.form.get("expected_version", type=int)
    try:
        if found.assignee is None:
            engine().claim_task(g.user, task_id)
        engine().complete_task(task_id, workflow, actor=g.user.id, expected_version=expected)
    except (StaleCase, Conflict):
        return _task_page(found, values, stale=True, status=409)
    for name, text in content.items():
        if text:
            engine().put_content(found.case_id, name, str(text), actor=g.user.id)
    flash(_("Tarea completada."), "ok")
    return redirect(url_for("inbox.index"))


@bp.post("/tareas/<task_id>/tomar")
@login_required(*OFFICER_ROLES)
def claim(task_id: str):
    """Take a task."""
    try:
        engine().claim_task(g.user, task_id)
        flash(_("Tarea asignada a usted."), "ok")
    except Conflict:
        flash(_("La tarea ya no está disponible."), "error")
    return redirect(url_for("inbox.task", task_id=task_id) if request.form.get("open") else url_for("inbox.index"))


@bp.post("/tareas/<task_id>/soltar")
@login_required(*OFFICER_ROLES)
def release(task_id: str):
    """Give a task back."""
    try:
        engine().release_task(g.user, task_id)
        flash(_("Tarea liberada."), "ok")
    except Conflict:
        flash(_("La tarea ya no está disponible."), "error")
    return redirect(url_for("inbox.index"))


@bp.post("/tareas/<task_id>/reasignar")
@login_required("chief")
def reassign(task_id: str):
    """A chief hands a task to another officer of the lane."""
    try:
        engine().reassign_task(g.user, task_id, request.form.get("user_id", ""))
        flash(_("Tarea reasignada."), "ok")
    except Conflict:
        flash(_("La tarea ya no está disponible."), "error")
    return redirect(url_for("inbox.index"))
