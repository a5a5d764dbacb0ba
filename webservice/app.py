"""The Flask application factory: one configured app, the same in tests and on Toolforge.

The app reads the bot's configuration file (``--config``, ``$CAMPAIGNKIT_CONFIG``,
…) and its ``[web]`` table, so one file describes the wikis for both. A
background thread retries journaled submissions that are waiting for a wiki;
``campaignkit web retry`` does the same from a scheduled job.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from typing import Any

from flask import Flask, g, render_template, request
from flask_compress import Compress
from werkzeug.middleware.proxy_fix import ProxyFix

from campaignkit.config import Settings, load_settings
from campaignkit.submissions import journal
from campaignkit.web_settings import WebSettings, load_web_settings
from campaignkit.wiki.errors import WikiUnreachable
from campaignkit.wiki.organizer_session import ApiError
from webservice import campaign_reads, i18n, locale_names, security, static_files

log = logging.getLogger(__name__)


def create_app(
    settings: Settings | None = None,
    *,
    web: WebSettings | None = None,
    retry_worker: bool = True,
    overrides: dict[str, Any] | None = None,
) -> Flask:
    """Build the web app for one configuration."""
    settings = settings or load_settings()
    web = web or load_web_settings(settings)
    app = Flask(__name__)
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]
    app.config.update(
        SECRET_KEY=web.secret_key,
        SESSION_COOKIE_NAME="campaignkit_session",
        SESSION_COOKIE_SECURE=web.secure_cookies,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(days=30),
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session: forms take a while
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        RATELIMIT_STORAGE_URI=settings.redis_url,
        RATELIMIT_KEY_PREFIX=f"{settings.redis_prefix}:web-limits",
        # Redis down must not stop organizers: limits fall back to this process's
        # memory, and submissions are still journaled and saved.
        RATELIMIT_SWALLOW_ERRORS=True,
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True,
        CAMPAIGNKIT_SETTINGS=settings,
        CAMPAIGNKIT_WEB=web,
        CAMPAIGNKIT_WRITE_LIMIT=web.write_limit,
        CAMPAIGNKIT_ACCOUNT_LIMIT=web.account_limit,
        JSON_SORT_KEYS=False,
    )
    app.config.update(
        # HTML, JSON and feeds compressed on the fly (static files are compressed
        # once at start-up by webservice.static_files)
        COMPRESS_ALGORITHM=["br", "gzip"],
        COMPRESS_BR_LEVEL=4,
        COMPRESS_LEVEL=6,
        COMPRESS_MIMETYPES=[
            "text/html",
            "text/css",
            "text/csv",
            "text/calendar",
            "application/json",
            "application/geo+json",
            "application/javascript",
            "image/svg+xml",
        ],
    )
    app.config.update(overrides or {})
    journal.engine(settings)
    campaign_reads.cache.configure(settings.redis_url, settings.redis_prefix)
    i18n.init_app(app)
    locale_names.init_app(app)
    security.init_app(app, web.tile_url)
    static_files.init_app(app)
    Compress(app)

    from webservice import (
        api,
        auth,
        calendar,
        checkin,
        feeds,
        organizer_forms,
        pages,
        participation,
    )

    for blueprint in (
        pages.blueprint,
        calendar.blueprint,
        auth.blueprint,
        organizer_forms.blueprint,
        participation.blueprint,
        checkin.blueprint,
        feeds.blueprint,
        api.blueprint,
    ):
        app.register_blueprint(blueprint)
    security.csrf.exempt(api.blueprint)
    _template_helpers(app, settings)
    _error_pages(app)
    if retry_worker and web.retry_interval > 0:
        start_retry_worker(settings, web)
    return app


def _template_helpers(app: Flask, settings: Settings) -> None:
    from webservice.feeds import page_url

    @app.context_processor
    def _globals() -> dict[str, Any]:
        # No form here: a form with a CSRF token would start a session (and send a
        # cookie) on every page, even an anonymous visitor's (the footer's language
        # chooser is a GET form); and this runs for error pages too, where reading
        # the body again (a 413) would turn the error into a 500.
        return {
            "login": g.get("login"),
            "current_path": request.full_path.rstrip("?"),
            "hub_id": settings.hub_id,
        }

    app.jinja_env.globals["page_url"] = lambda wiki, title: page_url(settings, wiki, title)


def _error_pages(app: Flask) -> None:
    def page(status: int) -> Any:
        def handler(_error: Exception) -> Any:
            if request.path.startswith("/api/"):
                from flask import jsonify

                return jsonify(error=str(status)), status
            return render_template("error.html", status=status), status

        return handler

    for status in (400, 403, 404, 405, 413, 429, 500, 503):
        app.register_error_handler(status, page(status))

    def wiki_down(error: WikiUnreachable | ApiError) -> Any:
        """A wiki that does not answer a read is a 503 for every view, in one place.

        Views let these errors through unless they must do something else (keep a
        journaled submission pending, show a preview's failure inside the form).
        The API answers JSON that names the wiki; pages say to try again soon.
        """
        log.warning("a wiki did not answer %s: %s", request.path, error)
        if request.path.startswith("/api/"):
            from flask import jsonify

            if isinstance(error, ApiError):
                message = f"{error.wiki_id}: the wiki refused the read ({error.code})"
            else:
                message = f"{error.wiki_id}: the wiki does not answer"
            return jsonify(error=message), 503, {"Retry-After": "60"}
        return render_template("wiki_down.html"), 503, {"Retry-After": "60"}

    app.register_error_handler(WikiUnreachable, wiki_down)
    app.register_error_handler(ApiError, wiki_down)


_worker_started = threading.Event()


def start_retry_worker(settings: Settings, web: WebSettings) -> None:
    """Retry due submissions every ``web.retry_interval`` seconds, in this process."""
    if _worker_started.is_set():
        return
    _worker_started.set()
    from campaignkit.submissions.writer import retry_due
    from webservice.refresh import request_refresh

    def loop() -> None:
        stop = threading.Event()
        while not stop.wait(web.retry_interval):
            try:
                counts = retry_due(settings, web, on_saved=request_refresh)
                if counts:
                    log.info("retried journaled submissions: %s", counts)
            except Exception:  # keep retrying: the database may be back next time
                log.exception("retrying journaled submissions failed")

    threading.Thread(target=loop, name="campaignkit-journal-retry", daemon=True).start()
