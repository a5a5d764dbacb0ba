"""Logging in and out: OAuth on Wikimedia wikis, ``clientlogin`` on the local wikis.

After a login the organizer's own pending submissions are tried again at
once: they were waiting for exactly this.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from campaignkit.submissions import journal, logins
from campaignkit.submissions import writer as submissions
from campaignkit.wiki.errors import WikiUnreachable
from webservice.forms import LoginForm
from webservice.i18n import msg
from webservice.refresh import request_refresh
from webservice.security import (
    login_attempts_per_account,
    login_attempts_per_address,
    safe_next,
)

blueprint = Blueprint("auth", __name__)


def _settings() -> Any:
    return current_app.config["CAMPAIGNKIT_SETTINGS"]


def _web() -> Any:
    return current_app.config["CAMPAIGNKIT_WEB"]


def _logged_in(login: logins.Login, target: str) -> Any:
    missing = [w for w in _settings().wikis if w not in login.wikis(_settings())]
    session.clear()
    if missing:
        # said now, not as "log in again" later on every save to those wikis
        flash(msg("login-missing-wikis", login.username, ", ".join(missing)))
    session["login_key"] = logins.store(_settings(), login)
    session.permanent = True
    g.login = login
    for pending in journal.for_user(_settings(), login.username):
        if pending.status == journal.PENDING:
            submissions.attempt(
                _settings(), _web(), pending.id, force=True, login=login, on_saved=request_refresh
            )
    return redirect(safe_next(target))


@blueprint.route("/login", methods=["GET", "POST"])
@login_attempts_per_address
@login_attempts_per_account
def login() -> Any:
    """The login page (local wikis) or the start of the OAuth handshake (production)."""
    target = request.args.get("next", "")
    if _web().login == "oauth":
        handshaker = logins.oauth_handshaker(_settings(), _web())
        redirect_url, request_token = handshaker.initiate(
            callback=url_for("auth.oauth_callback", _external=True)
        )
        pending = logins.Login(
            "", "oauth-request", {"key": request_token.key, "secret": request_token.secret}
        )
        session["oauth_request"] = logins.store(_settings(), pending)
        session["oauth_next"] = safe_next(target)
        return redirect(redirect_url)
    form = LoginForm()
    error = ""
    if form.validate_on_submit():
        try:
            login = logins.client_login(_settings(), form.username.data, form.password.data)
        except logins.LoginRefused as refused:
            error = msg("login-refused", str(refused))
        except WikiUnreachable:
            error = msg("login-wiki-down")
        else:
            return _logged_in(login, target)
    status = 400 if request.method == "POST" else 200
    return render_template("login.html", form=form, error=error, next=target), status


@blueprint.route("/oauth/callback")
def oauth_callback() -> Any:
    """Where the wiki sends the organizer back after they allowed the tool."""
    import mwoauth

    key = session.pop("oauth_request", None)
    pending = logins.load(_settings(), key) if key else None
    if pending is None:
        flash(msg("login-oauth-expired"))
        return redirect(url_for("auth.login"))
    logins.forget(_settings(), key)
    token = mwoauth.RequestToken(pending.credentials["key"], pending.credentials["secret"])
    handshaker = logins.oauth_handshaker(_settings(), _web())
    query = request.query_string.decode("ascii", "replace")
    login = logins.oauth_login(handshaker, token, query)
    return _logged_in(login, session.pop("oauth_next", ""))


@blueprint.route("/logout", methods=["POST"])
def logout() -> Any:
    """Forget the organizer's credentials on the server, not only in the browser."""
    key = session.get("login_key")
    if key:
        logins.forget(_settings(), key)
    session.clear()
    flash(msg("logout-done"))
    return redirect(url_for("pages.campaigns"))
