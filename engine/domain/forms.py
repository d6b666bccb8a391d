"""Form definitions for user tasks, and their server-side validation.

A form splits what it receives in two: *workflow data* (flags, ids, decisions, dates) that may
enter workflow state, and *content* (narrative, names, notes) that goes to the encrypted content
store and never reaches the workflow, logs or errors (SECURITY.md property 9).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from engine.errors import FormInvalid

FIELD_TYPES = frozenset({"text", "textarea", "choice", "multichoice", "bool", "date", "int"})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Choice:
    """One option of a choice field."""

    value: str
    label_es: str
    label_en: str


@dataclass(frozen=True)
class Field:
    """One form field. `content=True` sends the value to the encrypted content store."""

    name: str
    type: str
    label_es: str
    label_en: str
    required: bool = True
    choices: tuple[Choice, ...] = ()
    max_length: int = 200
    max_choices: int = 0
    content: bool = False
    help_es: str = ""
    help_en: str = ""
    minimum: int | None = None
    maximum: int | None = None

    def label(self, lang: str) -> str:
        """The label in the given language (es default)."""
        return self.label_en if lang == "en" else self.label_es

    def choice_values(self) -> frozenset[str]:
        """The accepted values of a choice field."""
        return frozenset(c.value for c in self.choices)


@dataclass(frozen=True)
class Form:
    """A form for one user task (or a process start)."""

    id: str
    title_es: str
    title_en: str
    fields: tuple[Field, ...] = field(default_factory=tuple)

    def title(self, lang: str) -> str:
        """The title in the given language (es default)."""
        return self.title_en if lang == "en" else self.title_es

    def workflow_keys(self) -> frozenset[str]:
        """Field names whose values may enter workflow state."""
        return frozenset(f.name for f in self.fields if not f.content)

    def validate(self, raw: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """Validate a submission; return (workflow_data, content). Raise FormInvalid with every error."""
        errors: dict[str, str] = {}
        workflow: dict[str, Any] = {}
        content: dict[str, Any] = {}
        known = {f.name for f in self.fields}
        for name in raw:
            if name not in known:
                errors[name] = "unknown field"
        for fld in self.fields:
            try:
                value = clean_value(fld, raw.get(fld.name))
            except ValueError as exc:
                errors[fld.name] = str(exc)
                continue
            if value is None:
                continue
            (content if fld.content else workflow)[fld.name] = value
        if errors:
            raise FormInvalid(errors)
        return workflow, content


def _is_blank(value: Any) -> bool:
    return value is None or value in ("", [], ())


def clean_value(fld: Field, value: Any) -> Any:
    """Check and normalise one value for its field; raise ValueError with a plain message."""
    if _is_blank(value):
        if fld.required and fld.type != "bool":
            raise ValueError("required")
        return False if fld.type == "bool" else None
    cleaner = _CLEANERS[fld.type]
    return cleaner(fld, value)


def _clean_text(fld: Field, value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("must be text")
    if _CONTROL.search(value):
        raise ValueError("contains control characters")
    # A textarea without its own limit (the 200 default) gets 20,000; a declared limit holds (issue 11).
    limit = fld.max_length if fld.type == "text" or fld.max_length != 200 else 20000
    if len(value) > limit:
        raise ValueError(f"longer than {limit} characters")
    return value.strip()


def _clean_choice(fld: Field, value: Any) -> str:
    if not isinstance(value, str) or value not in fld.choice_values():
        raise ValueError("not one of the allowed choices")
    return value


def _clean_multichoice(fld: Field, value: Any) -> list[str]:
    values = [value] if isinstance(value, str) else list(value)
    if any(v not in fld.choice_values() for v in values):
        raise ValueError("not one of the allowed choices")
    if fld.max_choices and len(values) > fld.max_choices:
        raise ValueError(f"at most {fld.max_choices} choices")
    return sorted(set(values))


def _clean_bool(fld: Field, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if str(value).lower() in {"1", "true", "on", "yes", "si", "sí"}:
        return True
    if str(value).lower() in {"0", "false", "off", "no"}:
        return False
    raise ValueError("must be yes or no")


def _clean_date(fld: Field, value: Any) -> str:
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise ValueError("must be a date (YYYY-MM-DD)") from None


def _clean_int(fld: Field, value: Any) -> int:
    try:
        number = int(str(value))
    except ValueError:
        raise ValueError("must be a whole number") from None
    if fld.minimum is not None and number < fld.minimum:
        raise ValueError(f"must be at least {fld.minimum}")
    if fld.maximum is not None and number > fld.maximum:
        raise ValueError(f"must be at most {fld.maximum}")
    return number


_CLEANERS = {
    "text": _clean_text,
    "textarea": _clean_text,
    "choice": _clean_choice,
    "multichoice": _clean_multichoice,
    "bool": _clean_bool,
    "date": _clean_date,
    "int": _clean_int,
}
