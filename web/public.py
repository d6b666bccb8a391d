"""The public transparency page (`/transparencia`, no login).

Aggregate counts per entity with every count below k = 5 shown as "< 5" (and secondary suppression
so a hidden count cannot be recovered from a total), plus the published concurrent-control
reports: number, entity, date and address. No case ids, no names, no content.
"""

from __future__ import annotations

from flask import Blueprint, render_template

from web.security import engine

bp = Blueprint("public", __name__)


@bp.get("/transparencia")
def transparency():
    """Suppressed statistics per entity and the list of published control reports."""
    data = engine().transparency()
    names = {e.id: e.name for e in engine().entities()}
    return render_template("reports/public.html", data=data, names=names)
