"""Taking part: one-click sign-up and withdrawal, and newcomers' accounts on the day.

Sign-up and withdrawal take no name from the request: the name is the
logged-in person's, so nobody can sign someone else up or out. Newcomers'
accounts are created by an organizer of the event with ``action=createaccount``
as themselves (the wiki logs "created by"), then signed up on the event page;
the bot flags them as new editors from their registration date.
"""

from __future__ import annotations

import re
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)

from campaignkit.contract import FieldSpec, Kind
from campaignkit.submissions import journal
from campaignkit.submissions import writer as submissions
from campaignkit.validation import InvalidValue, parse_value
from campaignkit.wiki.errors import WikiUnreachable
from campaignkit.wiki.organizer_session import ApiError
from webservice import campaign_reads
from webservice.forms import NewcomerForm, SignupForm, error_text
from webservice.i18n import msg
from webservice.organizer_forms import may_organize
from webservice.refresh import request_refresh
from webservice.security import account_creations, login_required, writes

blueprint = Blueprint("participation", __name__)
THROTTLE_CODES = {"acct_creation_throttle_hit", "ratelimited", "actionthrottledtext"}
USERNAME = FieldSpec("username", Kind.USER, "", "", required=True)


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


def _captcha(answer: dict) -> dict[str, str] | None:
    """The captcha the wiki asks for, if any: its id and what to show."""
    for item in answer.get("requests", []):
        fields = item.get("fields", {})
        if "captchaId" in fields:
            info = fields.get("captchaInfo", {})
            return {
                "id": str(fields["captchaId"].get("value", "")),
                "question": re.sub(r"<[^>]+>", "", str(info.get("value", ""))),
                "is_image": str(info.get("type", "")) == "null"
                or str(info.get("value", "")).startswith(("http", "/")),
            }
    return None


def create_account(api: Any, form: NewcomerForm, username: str, reason: str) -> dict:
    """``action=createaccount`` as the organizer; the answer's ``createaccount`` part."""
    params = {
        "action": "createaccount",
        "createtoken": api.token("createaccount"),
        "createreturnurl": request.host_url,
        "username": username,
        "password": form.password.data,
        "retype": form.password_again.data,
        "reason": reason,
    }
    if form.email.data:
        params["email"] = form.email.data
    if form.captcha_id.data:
        params["captchaId"] = form.captcha_id.data
        params["captchaWord"] = form.captcha_word.data or ""
    return api.post(**params).get("createaccount", {})


@blueprint.route("/event/<wiki>/<path:title>/newcomers", methods=["GET", "POST"])
@login_required
@writes
@account_creations
def newcomers(wiki: str, title: str) -> Any:
    """Create a newcomer's account and sign them up, one after the other, on the day."""
    view = _event_or_404(wiki, title)
    if not may_organize(view, g.login.username):
        return render_template("forbidden.html", view=view), 403
    form = NewcomerForm()
    captcha = None
    problem = ""
    created = ""
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            username = _checked_username(form)
            if form.password.data != form.password_again.data:
                form.password_again.errors = [msg("newcomer-passwords-differ")]
                username = None
            if not form.password.data:
                form.password.errors = [msg("error-required")]
                username = None
            if username is not None:
                edits_wiki = view.event.wiki if view.event.wiki in settings().wikis else wiki
                api = g.login.session_for(settings(), web(), edits_wiki)
                reason = f"Newcomer at event {view.title} (campaignkit)"
                try:
                    answer = create_account(api, form, username, reason)
                except WikiUnreachable:
                    problem = msg("newcomer-wiki-down")
                except ApiError as error:
                    problem = _explain(error.code, error.info)
                else:
                    outcome = answer.get("status")
                    if outcome == "PASS":
                        created = answer.get("username", username)
                        state = _participate("newcomer-signup", wiki, view.title, created)
                        flash(msg("newcomer-created", created))
                        if state.status != journal.SAVED:
                            return redirect(url_for("pages.submission", submission_id=state.id))
                        return redirect(url_for("participation.newcomers", wiki=wiki, title=title))
                    captcha = _captcha(answer)
                    if captcha is not None:
                        form.captcha_id.data = captcha["id"]
                        form.captcha_word.data = ""
                        problem = msg("newcomer-captcha")
                    else:
                        problem = _explain(answer.get("messagecode", ""), answer.get("message", ""))
    return (
        render_template(
            "newcomers.html",
            view=view,
            form=form,
            captcha=captcha,
            problem=problem,
            created=created,
        ),
        status,
    )


def _checked_username(form: NewcomerForm) -> str | None:
    form.username.errors = list(form.username.errors or [])
    try:
        value = parse_value(USERNAME, form.username.data or "")
    except InvalidValue as error:
        form.username.errors.append(error_text(Kind.USER, str(error)))
        return None
    if not value:
        form.username.errors.append(msg("error-required"))
        return None
    return value


def _explain(code: str, info: str) -> str:
    """What the wiki's refusal means for an organizer at an event, and what to do."""
    if code in THROTTLE_CODES:
        return msg("newcomer-throttle", info)
    if code in ("userexists", "createaccount-usernameexists"):
        return msg("newcomer-exists")
    if code in ("permissiondenied", "blocked", "createaccount-blocked"):
        return msg("newcomer-not-allowed", info)
    return msg("newcomer-refused", info or code)
