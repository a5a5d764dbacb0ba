"""What every response and every write goes through: headers, CSRF, rate limits, the login.

- CSRF: Flask-WTF's ``CSRFProtect`` checks every POST, forms or not.
- Headers: a Content-Security-Policy with ``default-src 'self'`` (the map's
  tiles are the only other source, when configured), ``frame-ancestors 'none'``,
  no sniffing, no referrer to other sites.
- Cookies: the session cookie is Secure, HttpOnly and SameSite=Lax (Lax, not
  Strict, so the OAuth callback from the wiki still finds the session). It
  holds a random key only; credentials stay on the server (:mod:`.logins`).
- Rate limits: Flask-Limiter on the tool's Redis, one shared budget for all
  writes per organizer (or per address when logged out), a stricter one for
  creating accounts; logins are counted per account and, with a ceiling a
  busy venue does not reach, per address.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, g, redirect, request, session, url_for
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

from campaignkit.submissions import logins
from webservice.field_limits import oversized_field
from webservice.return_targets import local_path

log = logging.getLogger(__name__)
csrf = CSRFProtect()
FORM_MIMETYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _rate_key() -> str:
    login = getattr(g, "login", None)
    return f"user:{login.username}" if login is not None else f"ip:{get_remote_address()}"


limiter = Limiter(key_func=_rate_key, headers_enabled=True, strategy="fixed-window")


def write_limit() -> str:
    """The shared budget of writes (a callable, so each app can configure it)."""
    return current_app.config["CAMPAIGNKIT_WRITE_LIMIT"]


def account_limit() -> str:
    """The budget of account creations."""
    return current_app.config["CAMPAIGNKIT_ACCOUNT_LIMIT"]


def _address_key() -> str:
    """The client's address, counted apart for each app (see :func:`_app_scope`)."""
    return f"{current_app.config.get('RATELIMIT_KEY_PREFIX', '')}:ip:{get_remote_address()}"


writes = limiter.shared_limit(write_limit, scope="writes", methods=["POST"], key_func=_address_key)

# Logins have budgets of their own. Per account, a password cannot be guessed
# quickly; per address, a ceiling far above a venue's: fifty people behind one
# connection log in (and mistype) within minutes, and must not lock each other
# out as one shared budget of 30 per minute did.
LOGIN_ACCOUNT_LIMIT = "10 per minute;60 per hour"
LOGIN_ADDRESS_LIMIT = "300 per minute;2000 per hour"


def _app_scope() -> str:
    """This app's key prefix, in the key itself.

    Flask-Limiter keeps the key prefix of the first app it was attached to in a
    process; every app (a test's, or another tool on a shared Redis) must
    still count its logins apart.
    """
    return current_app.config.get("RATELIMIT_KEY_PREFIX", "")


def _login_account_key() -> str:
    """The account a login attempt is for, spelled as the wiki would (first letter upper)."""
    name = " ".join((request.form.get("username") or "").replace("_", " ").split())
    return f"{_app_scope()}:account:" + (name[:1].upper() + name[1:])[:255]


def _login_address_key() -> str:
    return f"{_app_scope()}:ip:{get_remote_address()}"


def login_account_limit() -> str:
    """Attempts per account (a callable, so each app can configure it)."""
    return current_app.config.get("CAMPAIGNKIT_LOGIN_ACCOUNT_LIMIT", LOGIN_ACCOUNT_LIMIT)


def login_address_limit() -> str:
    """Attempts per address: the ceiling a whole venue shares."""
    return current_app.config.get("CAMPAIGNKIT_LOGIN_ADDRESS_LIMIT", LOGIN_ADDRESS_LIMIT)


login_attempts_per_account = limiter.limit(
    login_account_limit, key_func=_login_account_key, methods=["POST"], scope="login-account"
)
login_attempts_per_address = limiter.limit(
    login_address_limit,
    key_func=_login_address_key,
    methods=["POST"],
    scope="login-address",
)
account_creations = limiter.shared_limit(
    account_limit, scope="accounts", methods=["POST"], key_func=_address_key
)


def content_security_policy(tile_url: str) -> str:
    """The CSP: our own origin, plus the tile server's for images when a map has tiles."""
    images = "'self' data:"
    if tile_url:
        parts = urlsplit(tile_url.replace("{s}", "a"))
        if parts.scheme and parts.netloc:
            host = parts.netloc
            if "{s}" in tile_url:
                host = "*." + host.split(".", 1)[-1]
            images += f" {parts.scheme}://{host}"
    return (
        "default-src 'self'; "
        f"img-src {images}; "
        "style-src 'self'; style-src-attr 'unsafe-inline'; "
        "script-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self' https://*.wikimedia.org https://*.wikipedia.org; "
        "frame-ancestors 'none'"
    )


def init_app(app: Flask, tile_url: str) -> None:
    """Attach CSRF, rate limits, security headers and the login lookup."""
    csrf.init_app(app)
    limiter.init_app(app)
    policy = content_security_policy(tile_url)

    @app.before_request
    def _refuse_oversized_fields() -> None:
        """A field past every form's limit is refused before CSRF or a view reads it."""
        if request.method == "POST" and request.mimetype in FORM_MIMETYPES:
            name = oversized_field(request.form.items(multi=True))
            if name:
                log.info("refused an oversized field %r on %s", name[:50], request.path)
                abort(413)

    @app.before_request
    def _load_login() -> None:
        if request.endpoint == "static":  # the same file for everyone: no session, no lookup
            g.login = None
            return
        key = session.get("login_key")
        g.login = logins.load(app.config["CAMPAIGNKIT_SETTINGS"], key) if key else None
        if key and g.login is None:
            session.pop("login_key", None)

    @app.after_request
    def _headers(response: Any) -> Any:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", policy)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        if "frame-ancestors 'none'" in headers["Content-Security-Policy"]:
            # The older header says the same; a view that may be framed (the
            # embeddable events list) sets its own policy and gets neither.
            headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Permissions-Policy", "geolocation=(), camera=(), microphone=()")
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if request.method == "POST" or g.get("login") is not None:
            headers.setdefault("Cache-Control", "no-store")
        if request.endpoint != "static":  # the same file for everyone
            headers.add("Vary", "Cookie")
        return response


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Send a logged-out visitor to the login page, back here afterwards."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if g.get("login") is None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapper


def safe_next(target: str | None) -> str:
    """A local path to return to (after login, OAuth, a language change); never another site.

    See :mod:`webservice.return_targets` for the forms a browser would read as
    another site; anything that is not plainly a local path goes to the
    campaigns list.
    """
    return local_path(target) or url_for("pages.campaigns")
