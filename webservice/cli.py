"""``campaignkit web``: run the webservice, or retry journaled submissions once.

``campaignkit web`` serves the app (Flask's server, for development and the
local wikis); production runs ``gunicorn webservice.wsgi:app``. ``campaignkit
web retry`` attempts every journaled submission that is due, for a scheduled
job on a host where no web process runs the retry thread.
"""

from __future__ import annotations

import click


def quiet_request_handler() -> type:
    """Werkzeug's request handler without its version in ``Server``.

    ``Server: Werkzeug/3.1.9 Python/3.11`` tells an attacker which known bugs
    to try; gunicorn (production) sends only ``gunicorn``.
    """
    from werkzeug.serving import WSGIRequestHandler

    class QuietHandler(WSGIRequestHandler):
        def version_string(self) -> str:
            return "campaignkit"

    return QuietHandler


def register(group: click.Group) -> None:
    """Add the ``web`` command group to the ``campaignkit`` command."""

    @group.group("web", invoke_without_command=True)
    @click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
    @click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
    @click.pass_context
    def web(ctx: click.Context, host: str, port: int) -> None:
        """Serve the organizers' web app (forms, dashboards, feeds, API)."""
        if ctx.invoked_subcommand is not None:
            return
        from webservice.app import create_app

        app = create_app(ctx.obj.settings)
        click.echo(f"campaignkit web on http://{host}:{port}/ (config: {ctx.obj.settings.path})")
        app.run(host=host, port=port, threaded=True, request_handler=quiet_request_handler())

    @web.command("retry")
    @click.pass_obj
    def retry(run: object) -> None:
        """Attempt every journaled submission that is due, once, and say what happened."""
        from campaignkit.submissions.writer import retry_due
        from campaignkit.web_settings import load_web_settings
        from webservice.refresh import request_refresh

        settings = run.settings  # type: ignore[attr-defined]
        counts = retry_due(settings, load_web_settings(settings), on_saved=request_refresh)
        if not counts:
            click.echo("No journaled submission is due.")
            return
        click.echo(", ".join(f"{state}: {count}" for state, count in sorted(counts.items())))
