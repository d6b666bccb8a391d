"""Rendering and reading the task forms defined in workflows/ (through the Engine API)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from engine.errors import NotFound
from web.i18n import lang


def field_errors(errors: dict[str, str]) -> dict[str, str]:
    """Translate the engine's plain validation messages for the current language."""
    known = {
        "required": _("Este campo es obligatorio."),
        "must be text": _("Debe ser texto."),
        "contains control characters": _("Contiene caracteres no permitidos."),
        "not one of the allowed choices": _("Elija una de las opciones."),
        "must be yes or no": _("Debe ser sí o no."),
        "must be a date (YYYY-MM-DD)": _("Debe ser una fecha (AAAA-MM-DD)."),
        "must be a whole number": _("Debe ser un número entero."),
        "unknown field": _("Campo desconocido."),
    }
    result = {}
    for name, message in errors.items():
        if message in known:
            result[name] = known[message]
        elif message.startswith("longer than"):
            result[name] = _("El texto es demasiado largo.")
        elif message.startswith("at most"):
            result[name] = _("Elija como máximo %(n)s opciones.", n=message.split()[2])
        else:
            result[name] = _("Revise este campo.")
    return result


def read_form(form: Any, data) -> dict[str, Any]:
    """The submitted values of the form's fields only (multichoice as lists, absent booleans absent)."""
    raw: dict[str, Any] = {}
    for fld in form.fields:
        if fld.type == "multichoice":
            values = [v for v in data.getlist(fld.name) if v]
            if values:
                raw[fld.name] = values
        elif fld.name in data:
            raw[fld.name] = data.get(fld.name, "")
    return raw


def label(item: Any) -> str:
    """The label of a field or choice in the current language."""
    return item.label_en if lang() == "en" else item.label_es


def help_text(fld: Any) -> str:
    """The help text of a field in the current language."""
    return fld.help_en if lang() == "en" else fld.help_es


def title(form: Any) -> str:
    """A form's title in the current language."""
    return form.title(lang())


_BIDI = {cp: f"[U+{cp:04X}]" for cp in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)}


def untrusted(text: Any) -> str:
    """Complainant text made inert for display: bidi controls shown as visible codes (Jinja escapes HTML)."""
    return str(text if text is not None else "").translate(_BIDI)


def task_title(task: Any) -> str:
    """A task's title from its form definition in the current language (the BPMN name otherwise)."""
    from web.security import engine

    try:
        return engine().form(task.process_id, task.form_id).title(lang())
    except NotFound:  # processes without form definitions keep their BPMN name
        return task.title


def init_app(app) -> None:
    """Expose the helpers to templates."""
    app.jinja_env.globals.update(field_label=label, field_help=help_text, form_title=title, task_title=task_title)
    app.jinja_env.filters["untrusted"] = untrusted
