"""The newcomers' accounts page: the wiki's own account-creation flow, as the organizer.

What the page does, in order (the route is ``participation.newcomers``):

1. Settle this event's account requests whose answer was lost (the wiki's
   ``newusers`` log decides), and sign up the newcomers they created.
2. On a send: refuse locally what needs no wiki (empty fields, passwords that
   differ, a captcha left unanswered); ask the wiki for free whether the name
   and the password would pass; only then journal the request and send one
   ``action=createaccount`` with the captcha's answer. Created (or adopted
   after a lost answer): the newcomer is signed up, and the page comes back
   empty for the next one. Refused: the form comes back with what was typed
   and, for a wrong answer, the wiki's new captcha.
3. Show what the wiki asks now (``meta=authmanagerinfo``): a question captcha
   as text, an image captcha as its image; and, before any attempt, whether
   the organizer is exempt from the captcha and the per-address limit, or how
   many accounts the tool's shared address has likely left and who on that
   wiki can grant the exemption.

No request reaches ``action=createaccount`` without an answer to a captcha the
wiki asked: each such attempt would spend one of the day's accounts.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from flask import current_app, flash, g, redirect, render_template, request, url_for
from wtforms.widgets import PasswordInput

from campaignkit.contract import FieldSpec, Kind
from campaignkit.submissions import journal, newcomer_accounts
from campaignkit.submissions.newcomer_accounts import NewcomerState
from campaignkit.validation import InvalidValue, parse_value
from campaignkit.wiki import account_creation as wiki_accounts
from campaignkit.wiki.account_creation import Captcha, Requirements, canonical_username
from campaignkit.wiki.errors import WikiUnreachable
from campaignkit.wiki.organizer_session import ApiError, OrganizerWiki
from webservice import campaign_reads
from webservice.forms import NewcomerForm, error_text
from webservice.i18n import msg
from webservice.refresh import request_refresh

log = logging.getLogger(__name__)
USERNAME = FieldSpec("username", Kind.USER, "", "", required=True)
STATES_SHOWN_FOR = timedelta(days=3)
REQUEST_MEMORY = timedelta(days=1)


def settings() -> Any:
    """The shared configuration of this app."""
    return current_app.config["CAMPAIGNKIT_SETTINGS"]


def web() -> Any:
    """The webservice's own settings."""
    return current_app.config["CAMPAIGNKIT_WEB"]


def lang() -> str:
    """The interface's language, which the wiki's own texts are asked in."""
    return str(g.get("lang", "en"))


@dataclass
class Page:
    """Everything the template shows besides the form."""

    view: campaign_reads.EventPage
    account_wiki: str
    problem: str = ""
    requirements: Requirements | None = None
    captcha_image: str = ""
    budget: newcomer_accounts.AddressBudget | None = None
    group_names: dict[str, str] = field(default_factory=dict)
    states: list[NewcomerState] = field(default_factory=list)

    def names(self, groups: tuple[str, ...]) -> str:
        """Groups as the wiki names them in the interface's language, in one line."""
        return ", ".join(self.group_names.get(g, g) for g in groups) or "—"


def account_wiki_of(view: campaign_reads.EventPage) -> str:
    """Accounts are created on the wiki where the event's edits happen."""
    event_wiki = view.event.wiki if view.event is not None else ""
    return event_wiki if event_wiki in settings().wikis else view.wiki


def page(view: campaign_reads.EventPage) -> Any:
    """GET shows the form and the states; POST creates one account (see the module)."""
    account_wiki = account_wiki_of(view)
    form = NewcomerForm()
    if account_wiki not in g.login.wikis(settings()):
        state = Page(view, account_wiki, problem=msg("newcomer-no-login", account_wiki))
        return _render(form, state, None, status=403)
    api = g.login.session_for(settings(), web(), account_wiki)
    _settle_due(view, api)
    if request.method == "POST":
        return _send(form, view, api, account_wiki)
    return _render(form, Page(view, account_wiki), api)


def _mine(row: journal.Submission) -> Any:
    """The login to act with for a row: the organizer's own, else the row owner's latest."""
    return g.login if row.username == g.login.username else None


def _settle_due(view: campaign_reads.EventPage, api: OrganizerWiki) -> None:
    """Decide the event's requests whose answer was lost, and sign up what they created."""
    since = journal.now() - STATES_SHOWN_FOR
    for state in newcomer_accounts.states_for_event(settings(), view.wiki, view.title, since=since):
        row = state.account
        if row.status == journal.PENDING and journal.claim(settings(), row.id):
            claimed = journal.get(settings(), row.id) or row
            row = newcomer_accounts.settle(settings(), api, claimed)
        if row.status == journal.SAVED and state.signup is None:
            newcomer_accounts.sign_up(
                settings(), web(), row, login=_mine(row), on_saved=request_refresh
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
    return canonical_username(value)


def _local_checks(form: NewcomerForm) -> str | None:
    """The newcomer's name if the form is complete; field errors are set otherwise."""
    if not form.validate_on_submit():
        return None
    username = _checked_username(form)
    if not form.password.data:
        form.password.errors = [msg("error-required")]
        username = None
    elif form.password.data != form.password_again.data:
        form.password_again.errors = [msg("newcomer-passwords-differ")]
        username = None
    if form.captcha_id.data and not (form.captcha_word.data or "").strip():
        form.captcha_word.errors = [msg("newcomer-captcha-needed")]
        username = None
    return username


def _send(
    form: NewcomerForm, view: campaign_reads.EventPage, api: OrganizerWiki, account_wiki: str
) -> Any:
    state = Page(view, account_wiki)
    username = _local_checks(form)
    if username is None:
        return _render(form, state, api, status=400, keep_passwords=True)
    earlier = newcomer_accounts.latest_request(
        settings(), account_wiki, username, since=journal.now() - REQUEST_MEMORY
    )
    if earlier is not None and earlier.wiki == view.wiki and earlier.title == view.title:
        return _follow_earlier(form, state, api, earlier)
    try:
        requirements = None if form.captcha_id.data else wiki_accounts.what_creation_needs(api)
        rights = requirements.rights if requirements else _rights(api)
        if requirements is not None and requirements.captcha is not None:
            # The wiki asks a captcha this form did not show: show it, send nothing.
            state.problem = msg("newcomer-captcha-first")
            return _render(form, state, api, status=400, keep_passwords=True)
        refusal = _refused_before_sending(form, api, username, requirements)
        token = api.token("createaccount")  # fetched before the request is journaled
    except (WikiUnreachable, ApiError):
        state.problem = msg("newcomer-wiki-down")
        return _render(form, state, api, status=503, keep_passwords=True)
    if refusal:
        state.problem = refusal
        return _render(form, state, api, status=400, keep_passwords=True)
    row = newcomer_accounts.begin(
        settings(),
        organizer=g.login.username,
        event_wiki=view.wiki,
        event_title=view.title,
        account_wiki=account_wiki,
        username=username,
        counted=not rights.skips_throttle,
    )
    try:
        outcome = wiki_accounts.create(
            api,
            username=username,
            password=form.password.data or "",
            email=form.email.data or "",
            reason=f"Newcomer at event {view.title} (campaignkit)",
            captcha_id=form.captcha_id.data or "",
            captcha_word=(form.captcha_word.data or "").strip(),
            return_url=request.host_url,
            token=token,
        )
    except Exception:  # a journaled request is never left claimed: the log decides
        log.exception("account request %s failed", row.id)
        outcome = wiki_accounts.CreationOutcome(wiki_accounts.UNKNOWN, code="error")
    if outcome.status in (wiki_accounts.UNKNOWN, wiki_accounts.NAME_TAKEN):
        row = newcomer_accounts.settle(settings(), api, row)
    else:
        newcomer_accounts.conclude(settings(), row, outcome, text=_wiki_words(api, outcome))
        row = journal.get(settings(), row.id) or row
    if row.status in (journal.SAVED, journal.PENDING):
        return _after_request(row, view)
    concurrent = newcomer_accounts.latest_request(
        settings(), account_wiki, username, since=journal.now() - REQUEST_MEMORY
    )
    if concurrent is not None and concurrent.id != row.id and concurrent.title == view.title:
        # A double submit: the other request took the name (or the captcha with it).
        return _follow_earlier(form, state, api, concurrent)
    state.problem = explain(row)
    return _render(form, state, api, status=400, keep_passwords=True)


def _rights(api: OrganizerWiki) -> wiki_accounts.OrganizerRights:
    answer = api.get(action="query", meta="userinfo", uiprop="rights|groups")
    user = answer.get("query", {}).get("userinfo", {})
    return wiki_accounts.OrganizerRights(
        username=str(user.get("name", "")),
        groups=tuple(user.get("groups", [])),
        rights=frozenset(user.get("rights", [])),
        logged_in=bool(user.get("id")),
    )


def _refused_before_sending(
    form: NewcomerForm, api: OrganizerWiki, username: str, requirements: Requirements | None
) -> str:
    """What the wiki would refuse anyway, asked for free; empty when the attempt may go."""
    if requirements is not None:
        if not requirements.rights.logged_in:
            return msg("status-login-again")
        if not requirements.can_create:
            return msg("newcomer-cannot-create", api.id)
        if requirements.unsupported:
            return msg("newcomer-unsupported", ", ".join(requirements.unsupported))
        if requirements.email_required and not form.email.data:
            form.email.errors = [msg("error-required")]
            return msg("newcomer-email-required")
    name = wiki_accounts.check_name(api, username, lang())
    if name.exists:
        form.username.errors = [msg("newcomer-exists")]
        return msg("newcomer-exists")
    if not name.creatable:
        form.username.errors = [msg("newcomer-name-refused", name.text or name.code)]
        return msg("newcomer-name-refused", name.text or name.code)
    good, why = wiki_accounts.check_password(
        api, username, form.password.data or "", form.email.data or "", lang()
    )
    if not good:
        form.password.errors = [msg("newcomer-password-refused", why)]
        return msg("newcomer-password-refused", why)
    return ""


def _follow_earlier(
    form: NewcomerForm, state: Page, api: OrganizerWiki, earlier: journal.Submission
) -> Any:
    """The same name was already asked for at this event: say so, send nothing again.

    A double click or a browser that resends shows this answer, so it must not
    read "name taken, choose another" (that orphans the first account): it says
    the account exists and the newcomer is signed up, or that it is still being
    checked. Only then does it address another newcomer who wants the same name.
    """
    name = newcomer_accounts.created_name(earlier)
    when = earlier.created_at.strftime("%H:%M")
    if earlier.status == journal.SAVED:
        newcomer_accounts.sign_up(
            settings(), web(), earlier, login=_mine(earlier), on_saved=request_refresh
        )
        state.problem = msg("newcomer-already-created", name, when)
    else:
        state.problem = msg("newcomer-already-asked", name, when)
    return _render(form, state, api, status=400)


def _after_request(row: journal.Submission, view: campaign_reads.EventPage) -> Any:
    """Created (or still being checked): sign up, then an empty form for the next newcomer."""
    if row.status == journal.SAVED:
        signup = newcomer_accounts.sign_up(
            settings(), web(), row, login=g.login, on_saved=request_refresh
        )
        campaign_reads.cache.clear()
        if signup is not None and signup.status == journal.SAVED:
            flash(msg("newcomer-created", newcomer_accounts.created_name(row)))
    return redirect(url_for("participation.newcomers", wiki=view.wiki, title=view.title))


def _wiki_words(api: OrganizerWiki, outcome: wiki_accounts.CreationOutcome) -> str:
    """The wiki's refusal in the organizer's language, when the tool has no words for it."""
    if outcome.status != wiki_accounts.REFUSED or outcome.detail or not outcome.code:
        return ""
    try:
        return wiki_accounts.message_text(api, outcome.code, outcome.params, lang())
    except (WikiUnreachable, ApiError):
        return outcome.code


def explain(row: journal.Submission) -> str:
    """What an account request's refusal means for an organizer at an event, and what to do.

    Each reason key takes the row's detail as its one parameter, so the
    submission page (``msg(reason, detail)``) says the same later.
    """
    key, _, detail = row.message.partition("|")
    return msg(key, detail)


def _render(
    form: NewcomerForm,
    state: Page,
    api: OrganizerWiki | None,
    *,
    status: int = 200,
    keep_passwords: bool = False,
) -> Any:
    """The form with what the wiki asks now (a fresh captcha), the limits and the states."""
    if api is not None:
        try:
            state.requirements = wiki_accounts.what_creation_needs(api)
            captcha = state.requirements.captcha
            if captcha is not None and captcha.is_image:
                state.captcha_image = wiki_accounts.captcha_image(api, captcha)
            rights = state.requirements.rights
            if not rights.skips_throttle:
                route = state.requirements.route
                state.group_names = wiki_accounts.group_names(
                    api, route.groups + route.granted_by, lang()
                )
            else:
                state.group_names = wiki_accounts.group_names(
                    api, state.requirements.exempt_through, lang()
                )
        except (WikiUnreachable, ApiError):
            state.problem = state.problem or msg("newcomer-wiki-down")
    _show_captcha(form, state.requirements.captcha if state.requirements else None)
    if keep_passwords:
        # What the newcomer typed stays (the page is never cached: Cache-Control no-store).
        form.password.widget = PasswordInput(hide_value=False)
        form.password_again.widget = PasswordInput(hide_value=False)
    state.budget = newcomer_accounts.address_budget(settings(), state.account_wiki)
    state.states = newcomer_accounts.states_for_event(
        settings(), state.view.wiki, state.view.title, since=journal.now() - STATES_SHOWN_FOR
    )
    return render_template("newcomers.html", form=form, page=state, view=state.view), status


def _show_captcha(form: NewcomerForm, captcha: Captcha | None) -> None:
    """The captcha's id goes with the form; an answer to an older captcha is dropped."""
    if captcha is None:
        form.captcha_id.data = ""
        return
    if form.captcha_id.data != captcha.id:
        form.captcha_word.data = ""
    form.captcha_id.data = captcha.id
