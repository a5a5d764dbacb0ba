"""The read pages: campaigns, a campaign's dashboard, an event, a submission's status."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from markupsafe import Markup
from wtforms.fields.choices import SelectChoice

from campaignkit.submissions import journal
from campaignkit.submissions import writer as submissions
from webservice import campaign_metrics, campaign_reads
from webservice.forms import LanguageForm, SignupForm
from webservice.i18n import LANGUAGE_COOKIE
from webservice.refresh import request_refresh
from webservice.security import login_required, safe_next, writes

blueprint = Blueprint("pages", __name__)


def settings() -> Any:
    """The shared configuration of this app."""
    return current_app.config["CAMPAIGNKIT_SETTINGS"]


def web() -> Any:
    """The webservice's own settings."""
    return current_app.config["CAMPAIGNKIT_WEB"]


def cache_seconds() -> float:
    """How long read pages may be served from the cache."""
    return web().cache_seconds


@blueprint.route("/healthz")
def healthz() -> Any:
    """For the platform's health check: the app answers and its database does too."""
    try:
        with journal.engine(settings()).connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except Exception as error:  # the check must answer, not crash
        return jsonify(status="error", database=type(error).__name__), 503
    return jsonify(status="ok")


@blueprint.route("/")
def campaigns() -> Any:
    """Every campaign on the hub."""
    listed = campaign_reads.list_campaigns(settings(), cache_seconds())
    return render_template("campaigns.html", campaigns=listed)


@blueprint.route("/campaign/<path:title>")
def campaign(title: str) -> Any:
    """A campaign's dashboard: totals, events table, map, chart, feeds."""
    dashboard = campaign_reads.campaign_dashboard(settings(), title, cache_seconds())
    if not dashboard.exists:
        abort(404)
    hub = settings().hub

    def body() -> Markup:
        return Markup(
            render_template(
                "_campaign_body.html",
                dashboard=dashboard,
                hub_url=hub.index_url,
                wikis=settings().wikis,
                tile_url=web().tile_url,
                tile_attribution=web().tile_attribution,
                metrics=campaign_metrics.for_dashboard(settings(), dashboard, cache_seconds()),
            )
        )

    # The content is the same for every reader of one language and one version of the
    # campaign's data: rendered once per cache lifetime, shared by all workers (rendering
    # it per view was most of a view's time: p95 148 ms at 100 views/s under gunicorn).
    version = (title, g.lang, dashboard.revision_timestamp, dashboard.as_of)
    content = campaign_reads.cache.get(("campaign-body", *version), cache_seconds(), body)
    return render_template("campaign.html", dashboard=dashboard, body=content)


@blueprint.route("/event/<wiki>/<path:title>")
def event(wiki: str, title: str) -> Any:
    """An event: details, participants, worklist progress, sign-up button."""
    if wiki not in settings().wikis:
        abort(404)
    view = campaign_reads.event_page(settings(), wiki, title)
    if not view.page.exists:
        abort(404)
    login = g.get("login")
    return render_template(
        "event.html",
        view=view,
        wiki_url=settings().wiki(wiki).index_url,
        signed_up=login is not None and login.username in view.signups,
        form=SignupForm(),
    )


@blueprint.route("/submission/<submission_id>", methods=["GET", "POST"])
@login_required
@writes
def submission(submission_id: str) -> Any:
    """What became of a submission: saved, waiting for the wiki, or refused (and why)."""
    found = journal.get(settings(), submission_id)
    if found is None or found.username != g.login.username:
        abort(404)
    if request.method == "POST" and found.status == journal.PENDING:
        submissions.attempt(
            settings(), web(), found.id, force=True, login=g.login, on_saved=request_refresh
        )
        return redirect(url_for("pages.submission", submission_id=found.id))
    key, _, detail = found.message.partition("|")
    status = 202 if found.status == journal.PENDING else 200
    return (
        render_template(
            "submission.html",
            submission=found,
            reason_key=key,
            detail=detail,
            form=SignupForm(),
        ),
        status,
    )


@blueprint.route("/my-submissions")
@login_required
def my_submissions() -> Any:
    """The organizer's latest submissions and their state."""
    return render_template(
        "my_submissions.html", submissions=journal.for_user(settings(), g.login.username)
    )


@blueprint.route("/status")
def status() -> Any:
    """The bot's recent runs, the task queue and the worker, for organizers and operators."""
    from jobs.status import queue_status

    report = queue_status(settings(), limit=30)
    pending = journal.due(settings(), limit=100)
    return render_template("status.html", report=report, pending=len(pending))


@blueprint.route("/language", methods=["GET", "POST"])
def language() -> Any:
    """The language chooser: remembered in a cookie for a year.

    The footer's form is a GET (a language is not worth a session and a CSRF
    token on every page); a POST, as older pages sent it, is still checked.
    """
    messages = current_app.extensions["campaignkit_messages"]
    if request.method == "GET":
        chosen = request.args.get("language", "")
        valid = chosen in messages.languages
        target = request.args.get("next")
    else:
        form = LanguageForm()
        form.language.choices = [SelectChoice(code) for code in messages.languages]
        valid = form.validate_on_submit()
        chosen = form.language.data
        target = request.form.get("next")
    response = make_response(redirect(safe_next(target)))
    if valid:
        response.set_cookie(
            LANGUAGE_COOKIE,
            chosen,
            max_age=365 * 86400,
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            httponly=True,
            samesite="Lax",
        )
    return response
