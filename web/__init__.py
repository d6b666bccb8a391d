"""The probidad web application (Flask app factory, one blueprint per feature).

Features: public intake (`/denuncia`), receipt follow-up (`/seguimiento`), officer login with
mandatory TOTP (`/ingresar`), inbox and task forms (`/bandeja`, `/tareas`), case pages (`/casos`),
administration (`/admin`). Every page is Spanish (es-PE) by default and English on request.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from flask import Flask, jsonify, render_template

__all__ = ["create_app"]

IDLE_SECONDS = 15 * 60


def _defaults(engine: Any) -> dict[str, Any]:
    settings = getattr(engine, "settings", None)
    development = not getattr(settings, "production", False)
    secure = not development
    return {
        "SECRET_KEY": getattr(settings, "secret_key", None) or secrets.token_hex(32),
        "SESSION_COOKIE_SECURE": secure,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Strict",
        "SESSION_COOKIE_NAME": "__Host-probidad" if secure else "probidad",
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        "MAX_CONTENT_LENGTH": 30 * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_SSL_STRICT": False,
        "IDLE_SECONDS": IDLE_SECONDS,
        "BABEL_DEFAULT_LOCALE": "es",
        "BABEL_DEFAULT_TIMEZONE": "America/Lima",
        "RATE_LIMITS": {},
        "PROBIDAD_HSTS": secure,
    }


def create_app(test_config: dict[str, Any] | None = None, engine: Any = None) -> Flask:
    """Create the app. `engine` is an engine.Engine; built from the environment when omitted."""
    app = Flask(__name__, instance_relative_config=False)
    if engine is None:
        from engine import bootstrap

        engine = bootstrap.build()
    app.config.from_mapping(_defaults(engine))
    app.config.from_mapping(test_config or {})
    app.extensions["probidad_engine"] = engine

    from web import admin, auth, cases, errors, followup, forms, i18n, inbox, intake, security

    security.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    forms.init_app(app)
    for blueprint in (auth.bp, intake.bp, followup.bp, inbox.bp, cases.bp, admin.bp):
        app.register_blueprint(blueprint)
    from web.reports import register as register_reports  # dashboards, /transparencia, /api/v1 (issue 12)

    register_reports(app)
    from web.designer import bp as designer_bp  # the auditor's BPMN designer (issue 8)

    app.register_blueprint(designer_bp)

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    @app.get("/metrics")
    @security.login_required("admin", "auditor")
    def metrics():
        """Timers waiting, due and overdue, and the timer workers' last sweeps (docs/operations.md)."""
        from engine.ops import metrics as timer_metrics

        return jsonify(timer_metrics(app.extensions["probidad_engine"]))

    @app.get("/")
    def home():
        definitions = app.extensions["probidad_engine"].definitions()
        return render_template("home.html", definitions=definitions)

    return app
