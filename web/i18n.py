"""Spanish (es-PE, default) and English via Flask-Babel; dates shown in America/Lima.

The catalogue source is `web/translations/<lang>/LC_MESSAGES/messages.po` (msgids are the Spanish
texts). The compiled `.mo` is built from the `.po` when missing or older (`pybabel compile` does the
same), so a checkout never depends on a committed binary.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from flask import g, request, session
from flask_babel import Babel, get_locale

from engine.clock import to_lima

LANGUAGES = ("es", "en")
TRANSLATIONS = Path(__file__).resolve().parent / "translations"


def compile_catalogs(root: Path = TRANSLATIONS) -> list[Path]:
    """Compile every messages.po whose .mo is missing or stale; return the files written."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po_path in sorted(root.glob("*/LC_MESSAGES/messages.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as handle:
            catalog = read_po(handle)
        tmp = mo_path.with_suffix(".mo.tmp")
        with tmp.open("wb") as handle:
            write_mo(handle, catalog)
        tmp.replace(mo_path)
        written.append(mo_path)
    return written


def select_locale() -> str:
    """?lang= (remembered in the session), then the session, then Spanish."""
    wanted = request.args.get("lang")
    if wanted in LANGUAGES:
        session["lang"] = wanted
        return wanted
    if session.get("lang") in LANGUAGES:
        return session["lang"]
    return "es"


def lang() -> str:
    """The current language code ('es' or 'en')."""
    if "lang" not in g:
        g.lang = str(get_locale() or "es")[:2]
    return g.lang


def lima_datetime(value: datetime | None, with_time: bool = True) -> str:
    """An instant shown in Lima time, day first (es) or ISO-like (en)."""
    if value is None:
        return "—"
    local = to_lima(value)
    if lang() == "en":
        return local.strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")
    return local.strftime("%d/%m/%Y %H:%M" if with_time else "%d/%m/%Y")


def lima_date(value: datetime | date | str | None) -> str:
    """A date (or the Lima date of an instant)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, datetime):
        return lima_datetime(value, with_time=False)
    return value.strftime("%Y-%m-%d" if lang() == "en" else "%d/%m/%Y")


def init_app(app) -> None:
    """Install Babel, the locale selector and the date filters."""
    try:
        compile_catalogs()
    except OSError:  # a read-only install ships the compiled catalogues
        pass
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    Babel(app, locale_selector=select_locale)
    app.jinja_env.filters["lima"] = lima_datetime
    app.jinja_env.filters["lima_date"] = lima_date
    app.jinja_env.globals["lang"] = lang
