"""Taking part: one-click sign-up and withdrawal, and newcomers' accounts on the day.

Sign-up and withdrawal take no name from the request: the name is the
logged-in person's, so nobody can sign someone else up or out. Newcomers'
accounts are created by an organizer of the event with ``action=createaccount``
as themselves (the wiki logs "created by"), through the wiki's own flow
(captcha, limits, lost answers: :mod:`webservice.newcomers`), then signed up on
the event page; the bot flags them as new editors from their registration date.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    url_for,
)

from campaignkit.submissions import journal
from campaignkit.submissions import writer as submissions
from campaignkit.wiki.errors import WikiUnreachable
from campaignkit.wiki.organizer_session import ApiError
from webservice import campaign_reads
from webservice import newcomers as newcomer_page
from webservice.checkin import waitlist_place
from webservice.forms import SignupForm
from webservice.i18n import msg
from webservice.organizer_forms import may_organize
from webservice.refresh import request_refresh
from webservice.security import account_creations, login_required, writes

blueprint = Blueprint("participation", __name__)


def settings() -> Any:
    """The shared configuration of this app."""
    return current_app.config["CAMPAIGNKIT_SETTINGS"]


def web() -> Any:
    """The webservice's own settings."""
    return current_app.config["CAMPAIGNKIT_WEB"]


def _event_or_404(wiki: str, title: str) -> campaign_reads.EventPage:
    if wiki not in settings().wikis:
        abort(404)
    view = campaign_reads.event_page(settings(), wiki, title)
    if not view.page.exists or view.event is None:
        abort(404)
    return view


def _title_when_wiki_is_down(wiki: str, title: str) -> str:
    """The page title to journal: read the page when the wiki answers, else as asked.

    A participant who clicks while the wiki is down must not lose the click:
    the sign-up is journaled anyway and checked (page exists, sign-up open)
    when it is saved.
    """
    if wiki not in settings().wikis:
        abort(404)
    try:
        view = campaign_reads.event_page(settings(), wiki, title)
    except (WikiUnreachable, ApiError):
        return title
    if not view.page.exists or view.event is None:
        abort(404)
    g.event_seats = view.event.seats  # a full event's sign-up says where on the waitlist
    return view.title


def _participate(kind: str, wiki: str, title: str, user: str) -> journal.Submission:
    entry = journal.record(
        settings(),
        username=g.login.username,
        kind=kind,
        wiki=wiki,
        title=title,
        payload={"user": user},
    )
    submissions.attempt(settings(), web(), entry.id, login=g.login, on_saved=request_refresh)
    campaign_reads.cache.clear()
    return journal.get(settings(), entry.id) or entry


def _back(state: journal.Submission, done_message: str, wiki: str, title: str) -> Any:
    if state.status == journal.SAVED:
        flash(msg(done_message))
        return redirect(url_for("pages.event", wiki=wiki, title=title))
    return redirect(url_for("pages.submission", submission_id=state.id))


@blueprint.route("/event/<wiki>/<path:title>/signup", methods=["POST"])
@login_required
@writes
def signup(wiki: str, title: str) -> Any:
    """Sign the logged-in person up (any name sent along is ignored)."""
    if not SignupForm().validate_on_submit():
        abort(400)
    page_title = _title_when_wiki_is_down(wiki, title)
    state = _participate("signup", wiki, page_title, g.login.username)
    if state.status == journal.SAVED and g.get("event_seats"):
        place = waitlist_place(wiki, page_title, g.login.username)
        if place is not None:  # the event is full: say so, with the place
            flash(msg("signup-waitlisted", place))
            return redirect(url_for("pages.event", wiki=wiki, title=page_title))
    return _back(state, "signup-done", wiki, page_title)


@blueprint.route("/event/<wiki>/<path:title>/withdraw", methods=["POST"])
@login_required
@writes
def withdraw(wiki: str, title: str) -> Any:
    """Take the logged-in person's sign-up back."""
    if not SignupForm().validate_on_submit():
        abort(400)
    page_title = _title_when_wiki_is_down(wiki, title)
    state = _participate("withdraw", wiki, page_title, g.login.username)
    return _back(state, "withdraw-done", wiki, page_title)


@blueprint.route("/event/<wiki>/<path:title>/newcomers", methods=["GET", "POST"])
@login_required
@writes
@account_creations
def newcomers(wiki: str, title: str) -> Any:
    """Create newcomers' accounts on the day, one after the other, and sign them up.

    The wiki's own account-creation flow (captcha, limits, lost answers) is in
    :mod:`webservice.newcomers`.
    """
    view = _event_or_404(wiki, title)
    if not may_organize(view, g.login.username):
        return render_template("forbidden.html", view=view), 403
    return newcomer_page.page(view)
