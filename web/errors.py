"""Neutral error pages: a status and a plain sentence, never a trace, an id or a hint of existence."""

from __future__ import annotations

import logging

from flask import render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from engine.errors import AccessDenied, NotFound, ProbidadError

log = logging.getLogger("probidad.web")


def _messages() -> dict[int, str]:
    return {
        400: _("La solicitud no es válida. Vuelva a la página anterior e inténtelo de nuevo."),
        403: _("No tiene permiso para ver esta página."),
        404: _("No encontramos esta página."),
        405: _("La solicitud no es válida. Vuelva a la página anterior e inténtelo de nuevo."),
        413: _("El archivo es demasiado grande."),
        429: _("Demasiados intentos. Espere unos minutos e inténtelo de nuevo."),
        500: _("Ocurrió un error. Inténtelo más tarde."),
    }


def render_error(status: int):
    """The neutral page for an HTTP status."""
    messages = _messages()
    message = messages.get(status, messages[500] if status >= 500 else messages[400])
    return render_template("errors/error.html", status=status, message=message), status


def _http(exc: HTTPException):
    return render_error(exc.code or 500)


def _csrf(_exc: CSRFError):
    return render_error(400)


def _engine_error(exc: ProbidadError):
    if isinstance(exc, NotFound):
        return render_error(404)
    if isinstance(exc, AccessDenied):
        return render_error(403)
    log.warning("request refused: %s: %s", type(exc).__name__, exc)
    return render_error(400)


def _unexpected(exc: Exception):
    log.error("unhandled error: %s", type(exc).__name__)
    return render_error(500)


def init_app(app) -> None:
    """Register the handlers."""
    app.register_error_handler(CSRFError, _csrf)
    app.register_error_handler(HTTPException, _http)
    app.register_error_handler(ProbidadError, _engine_error)
    app.register_error_handler(Exception, _unexpected)
