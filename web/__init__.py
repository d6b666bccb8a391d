"""The probidad web application (Flask app factory)."""

from __future__ import annotations

from typing import Any

from flask import Flask, render_template

__all__ = ["create_app"]


def create_app(test_config: dict[str, Any] | None = None, engine: Any = None) -> Flask:
    """Create the app. `engine` is an engine.Engine; built from the environment when omitted."""
    app = Flask(__name__, instance_relative_config=False)
    app.config.from_mapping(test_config or {})
    if engine is None:
        from engine import bootstrap

        engine = bootstrap.build()
    app.extensions["probidad_engine"] = engine

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    @app.get("/")
    def home():
        definitions = engine.definitions()
        return render_template("home.html", definitions=definitions)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response

    return app
