"""Officer login: Argon2id password, then a TOTP code (enrolled at first login with a QR code)."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from engine.errors import ProbidadError
from web.security import begin_session, end_session, engine, limit

bp = Blueprint("auth", __name__)
log = logging.getLogger("probidad.web")
PENDING_SECONDS = 300


def _pending_user():
    """The user who passed the password step in the last few minutes, or None."""
    user_id = session.get("pending_user")
    started = session.get("pending_at", 0)
    if not user_id or engine().now().timestamp() - started > PENDING_SECONDS:
        return None
    user = engine().user(user_id)
    return user if user is not None and user.active else None


@bp.route("/ingresar", methods=["GET", "POST"])
def login():
    """Step 1: username and password."""
    if g.get("user") is not None:
        return redirect(url_for("inbox.index"))
    if request.method == "GET":
        return render_template("auth/login.html", expired=g.get("session_expired", False))
    username = request.form.get("username", "")[:100].strip().lower()
    limit("login", username)
    user = engine().authenticate(username, request.form.get("password", "")[:200])
    if user is None:
        flash(_("Usuario o contraseña incorrectos."), "error")
        return render_template("auth/login.html", username=username), 200
    _ensure_keypair(user.id, request.form.get("password", "")[:200])
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    session["pending_user"] = user.id
    session["pending_at"] = engine().now().timestamp()
    return redirect(url_for("auth.totp" if user.totp_enrolled else "auth.enroll"))


def _ensure_keypair(user_id: str, password: str) -> None:
    """Officers' X25519 key pairs are locked by their password (SECURITY.md property 4)."""
    ensure = getattr(engine(), "ensure_officer_keypair", None)
    if ensure is None:
        return
    try:
        ensure(user_id, password)
    except ProbidadError:
        log.warning("officer key pair not available")


@bp.route("/ingresar/codigo", methods=["GET", "POST"])
def totp():
    """Step 2: the six-digit code from the authenticator app."""
    user = _pending_user()
    if user is None:
        return redirect(url_for("auth.login"))
    if not user.totp_enrolled:
        return redirect(url_for("auth.enroll"))
    if request.method == "GET":
        return render_template("auth/totp.html")
    limit("totp", user.id)
    if not engine().verify_totp(user.id, request.form.get("code", "")[:12]):
        flash(_("El código no es válido o ya fue usado. Espere el siguiente código."), "error")
        return render_template("auth/totp.html")
    begin_session("officer", user.id)
    return redirect(url_for("inbox.index"))


def _qr_data_uri(uri: str) -> str:
    import segno

    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


@bp.route("/ingresar/enrolar", methods=["GET", "POST"])
def enroll():
    """First login: show a QR code for the authenticator app, then confirm one code."""
    user = _pending_user()
    if user is None:
        return redirect(url_for("auth.login"))
    if user.totp_enrolled:
        return redirect(url_for("auth.totp"))
    if request.method == "POST":
        limit("totp", user.id)
        if engine().verify_totp(user.id, request.form.get("code", "")[:12]):
            begin_session("officer", user.id)
            flash(_("Verificación en dos pasos activada."), "ok")
            return redirect(url_for("inbox.index"))
        flash(_("El código no es válido. Revise la hora de su teléfono e inténtelo de nuevo."), "error")
    secret = engine().totp_secret(user.id) or engine().enroll_totp(user.id, actor=user.id)
    uri = engine().totp_uri(user.id)
    if uri is None:
        abort(400)
    grouped = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    return render_template("auth/enroll.html", qr=_qr_data_uri(uri), secret=grouped)


@bp.post("/salir")
def logout():
    """End the officer session everywhere it was used."""
    end_session()
    flash(_("Sesión cerrada."), "ok")
    return redirect(url_for("auth.login"))
