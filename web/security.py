"""Sessions, CSRF, origin checks, security headers, rate limits and log hygiene.

* Sessions are server-side: the signed cookie holds a random token; the engine stores its HMAC,
  the subject and the last activity. Login clears the cookie and issues a new token (no fixation),
  logout deletes the record, and an idle session (15 minutes by default) dies on its next use.
* CSRF: Flask-WTF on every POST; state-changing requests from a foreign `Origin` get 403.
* Rate limits are in-memory token buckets keyed by an HMAC of what is being guessed (username,
  receipt prefix) plus a global bucket per action; never by IP address (SECURITY.md property 10).
  With several worker processes each holds its own buckets: the limit is per process.
* Logs: the werkzeug access log loses the client address (SECURITY.md property 7).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import threading
from functools import wraps
from urllib.parse import urlsplit

from flask import abort, current_app, g, redirect, request, session, url_for
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
DEFAULT_LIMITS = {
    # name: (capacity, seconds to refill the whole bucket)
    "login": (5, 300), "login_global": (60, 60),
    "totp": (5, 300), "totp_global": (60, 60),
    "receipt": (5, 900), "receipt_global": (30, 60),
    "intake": (20, 60), "upload": (30, 60),
}
_ADDRESS = re.compile(r"^\S+ - - ")


def engine():
    """The Engine of this app."""
    return current_app.extensions["probidad_engine"]


class _NoAddressFilter(logging.Filter):
    """Drop the client address from werkzeug's access log lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = _ADDRESS.sub("- - - ", record.msg)
        return True


class RateLimiter:
    """Token buckets in memory, refilled continuously, timed by the engine's clock."""

    def __init__(self, app):
        self.app = app
        self.buckets: dict[tuple[str, str], tuple[float, float]] = {}
        self.lock = threading.Lock()

    def _limit(self, name: str) -> tuple[int, int]:
        return {**DEFAULT_LIMITS, **self.app.config.get("RATE_LIMITS", {})}[name]

    def _key(self, value: str) -> str:
        secret = str(self.app.config["SECRET_KEY"]).encode()
        return hmac.new(secret, value.encode(), hashlib.sha256).hexdigest()

    def hit(self, name: str, value: str = "") -> bool:
        """Take one token; False when the bucket is empty (the caller answers 429)."""
        capacity, seconds = self._limit(name)
        now = self.app.extensions["probidad_engine"].now().timestamp()
        key = (name, self._key(value))
        with self.lock:
            tokens, updated = self.buckets.get(key, (float(capacity), now))
            tokens = min(float(capacity), tokens + (now - updated) * capacity / seconds)
            if tokens < 1:
                self.buckets[key] = (tokens, now)
                return False
            self.buckets[key] = (tokens - 1, now)
            if len(self.buckets) > 100_000:
                self.buckets.clear()
        return True


def limit(name: str, value: str = "") -> None:
    """Abort with 429 when the named bucket (and its global bucket, if any) is empty."""
    limiter: RateLimiter = current_app.extensions["probidad_limiter"]
    global_name = f"{name}_global"
    if global_name in DEFAULT_LIMITS and not limiter.hit(global_name):
        abort(429)
    if not limiter.hit(name, value):
        abort(429)


# -- sessions ------------------------------------------------------------------------------
def begin_session(kind: str, subject: str) -> None:
    """Rotate: clear the cookie and start a fresh server-side session."""
    old = session.get("auth")
    lang = session.get("lang")
    if old:
        engine().end_session(old)
    session.clear()
    session["auth"] = engine().start_session(kind, subject)
    if lang:
        session["lang"] = lang


def end_session() -> None:
    """Logout: delete the server-side session and clear the cookie (the language stays)."""
    token = session.get("auth")
    lang = session.get("lang")
    if token:
        engine().end_session(token)
    session.clear()
    if lang:
        session["lang"] = lang


def _load_identity() -> None:
    g.user = None
    g.complainant_case = None
    token = session.get("auth")
    if not token:
        return
    found = engine().resolve_session(token, current_app.config["IDLE_SECONDS"])
    if found is None:
        end_session()
        g.session_expired = True
        return
    kind, subject = found
    if kind == "officer":
        user = engine().user(subject)
        if user is not None and user.active:
            g.user = user
        else:
            end_session()
    elif kind == "complainant":
        g.complainant_case = subject


def login_required(*roles: str):
    """Require an officer session (and one of `roles`, when given); deny by default."""
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if g.get("user") is None:
                return redirect(url_for("auth.login"))
            if roles and not g.user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator


def complainant_required(view):
    """Require a complainant session opened with a receipt."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if g.get("complainant_case") is None:
            return redirect(url_for("followup.login"))
        return view(*args, **kwargs)
    return wrapped


# -- request checks and headers ------------------------------------------------------------
def _same_origin(origin: str) -> bool:
    parts = urlsplit(origin)
    here = urlsplit(request.host_url)
    return (parts.scheme, parts.netloc) == (here.scheme, here.netloc)


def _check_origin():
    """Refuse cross-site state changes. With Referrer-Policy no-referrer browsers send `Origin: null`
    on form posts, so Fetch Metadata (`Sec-Fetch-Site`) is the primary signal and a real foreign
    Origin the second; the CSRF token and SameSite=Strict cookies stay in force either way."""
    if request.method not in UNSAFE_METHODS:
        return
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site not in ("same-origin", "none"):
        abort(403)
    origin = request.headers.get("Origin")
    if origin is not None and origin != "null" and not _same_origin(origin):
        abort(403)


def _headers(response):
    csp = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
           "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
    headers = response.headers
    headers.setdefault("Content-Security-Policy", csp)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if not request.path.startswith("/static/"):
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    if current_app.config.get("PROBIDAD_HSTS"):
        headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
    return response


def init_app(app) -> None:
    """Install CSRF protection, the origin check, identity loading, headers and the log filter."""
    csrf.init_app(app)
    app.extensions["probidad_limiter"] = RateLimiter(app)
    app.before_request(_check_origin)
    app.before_request(_load_identity)
    app.after_request(_headers)
    werkzeug_log = logging.getLogger("werkzeug")
    if not any(isinstance(f, _NoAddressFilter) for f in werkzeug_log.filters):
        werkzeug_log.addFilter(_NoAddressFilter())
