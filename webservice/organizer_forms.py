"""Organizers' forms: new campaign, add an event, edit an event, new worklist.

Each form works the same way: check every field with the contract (errors next
to the field, values kept), then either **preview** (the wiki renders the new
page with ``action=parse``, nothing is saved) or **save** (the submission is
journaled, then saved as the organizer, then the bot's refresh is requested).
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from itsdangerous import BadSignature, URLSafeSerializer

from campaignkit.manifest import load_manifest
from campaignkit.submissions import journal, page_texts
from campaignkit.submissions import writer as submissions
from campaignkit.wiki.batch import PageText
from campaignkit.wiki.errors import WikiUnreachable
from campaignkit.wiki.organizer_editing import SaveRefused
from campaignkit.wiki.organizer_session import ApiError
from webservice import campaign_reads
from webservice.forms import ContractForm, checked_page_title, checked_values, fill, make_form
from webservice.i18n import msg
from webservice.refresh import request_refresh
from webservice.security import login_required, writes

blueprint = Blueprint("organizer", __name__)


def settings() -> Any:
    """The shared configuration of this app."""
    return current_app.config["CAMPAIGNKIT_SETTINGS"]


def web() -> Any:
    """The webservice's own settings."""
    return current_app.config["CAMPAIGNKIT_WEB"]


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="event-before")


def _page_exists(wiki_id: str, title: str) -> bool:
    api = campaign_reads.reader(settings(), wiki_id)
    return campaign_reads.read_pages(api, [title])[title].exists


def _preview_html(wiki_id: str, title: str, text: str) -> str:
    """The new page as the wiki renders it (parsed as the organizer, saved nowhere)."""
    api = g.login.session_for(settings(), web(), wiki_id)
    answer = api.post(
        action="parse",
        title=title,
        text=text,
        contentmodel="wikitext",
        prop="text",
        disablelimitreport="1",
        disableeditsection="1",
    )
    return answer.get("parse", {}).get("text", "")


def _journal_and_save(kind: str, wiki_id: str, title: str, payload: dict) -> Any:
    """Record first, then try at once; the status page tells what happened."""
    entry = journal.record(
        settings(), username=g.login.username, kind=kind, wiki=wiki_id, title=title, payload=payload
    )
    submissions.attempt(settings(), web(), entry.id, login=g.login, on_saved=request_refresh)
    campaign_reads.cache.clear()
    return redirect(url_for("pages.submission", submission_id=entry.id))


def _new_page_form(
    kind: str,
    form: ContractForm,
    *,
    template: str,
    heading: str,
    page_builder: Any,
    extra: dict | None = None,
) -> Any:
    """The shared flow of the three "new page" forms."""
    wiki_ids = settings().wikis
    preview = ""
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            values = checked_values(form, wiki_ids)
            title = checked_page_title(form)
            wiki_id = settings().hub_id if "page_wiki" not in form else form.page_wiki.data
            if wiki_id not in wiki_ids:
                form.page_wiki.errors = [msg("error-invalid-wiki")]
                values = None
            if values is not None and title is not None:
                try:
                    if _page_exists(wiki_id, title):
                        form.page_title.errors.append(msg("error-page-exists"))
                        values = None
                except (WikiUnreachable, ApiError):
                    pass  # checked again when the journaled save runs
            if values is not None and title is not None:
                if request.form.get("action") == "save":
                    return _journal_and_save(kind, wiki_id, title, {"params": values})
                wiki = settings().wiki(wiki_id)
                text = page_builder(
                    PageText(title, False), values, load_manifest(wiki.id, wiki.lang)
                )
                try:
                    preview = _preview_html(wiki_id, title, text)
                    status = 200
                except (WikiUnreachable, ApiError) as error:
                    form.page_title.errors.append(msg("preview-failed", str(error)))
    return (
        render_template(
            "page_form.html",
            form=form,
            template=template,
            heading=heading,
            preview=preview,
            **(extra or {}),
        ),
        status,
    )


@blueprint.route("/new/campaign", methods=["GET", "POST"])
@login_required
@writes
def new_campaign() -> Any:
    """Start a campaign: its page on the hub with ``{{Campaign}}``."""
    form = make_form("campaign", settings().wikis)()
    if request.method == "GET":
        form.organizers.data = g.login.username
    return _new_page_form(
        "new-campaign",
        form,
        template="campaign",
        heading="form-new-campaign",
        page_builder=page_texts.new_campaign_page,
    )


@blueprint.route("/campaign/<path:title>/add-event", methods=["GET", "POST"])
@login_required
@writes
def add_event(title: str) -> Any:
    """Add an event to a campaign; the form starts from the campaign's values."""
    dashboard = campaign_reads.campaign_dashboard(settings(), title, web().cache_seconds)
    if dashboard.campaign is None:
        abort(404)
    campaign = dashboard.campaign
    form = make_form("campaign_event", settings().wikis)()
    if request.method == "GET":
        fill(
            form,
            {
                "campaign": campaign.page.title,
                "hashtag": campaign.hashtag,
                "organizers": g.login.username,
                "start": f"{campaign.start.isoformat()} 10:00",
                "end": f"{campaign.start.isoformat()} 16:00",
                "timezone": "UTC",
                "signup": "open",
            },
        )
        form.page_title.data = f"{campaign.page.title}/"
    return _new_page_form(
        "new-event",
        form,
        template="campaign_event",
        heading="form-add-event",
        page_builder=page_texts.new_event_page,
        extra={"campaign": campaign},
    )


@blueprint.route("/new/worklist", methods=["GET", "POST"])
@login_required
@writes
def new_worklist() -> Any:
    """A worklist page with ``{{Worklist}}``; the bot builds its table."""
    form = make_form("worklist", settings().wikis)()
    return _new_page_form(
        "new-worklist",
        form,
        template="worklist",
        heading="form-new-worklist",
        page_builder=page_texts.new_worklist_page,
    )


def may_organize(view: campaign_reads.EventPage, username: str) -> bool:
    """Only the event's organizers, or its campaign's, may change the event."""
    event = view.event
    if event is None:
        return False
    if username in event.organizers:
        return True
    try:
        dashboard = campaign_reads.campaign_dashboard(settings(), event.campaign, 0)
    except (WikiUnreachable, ApiError):
        return False
    return dashboard.campaign is not None and username in dashboard.campaign.organizers


@blueprint.route("/event/<wiki>/<path:title>/edit", methods=["GET", "POST"])
@login_required
@writes
def edit_event(wiki: str, title: str) -> Any:
    """Change an event's details; only the fields the organizer changed are written."""
    if wiki not in settings().wikis:
        abort(404)
    view = campaign_reads.event_page(settings(), wiki, title)
    if not view.page.exists or view.event is None:
        abort(404)
    if not may_organize(view, g.login.username):
        return render_template("forbidden.html", view=view), 403
    form = make_form("campaign_event", settings().wikis, page_fields=False)()
    wiki_config = settings().wiki(wiki)
    manifest = load_manifest(wiki_config.id, wiki_config.lang)
    current = view.event.to_params()
    preview = ""
    status = 200
    if request.method == "GET":
        fill(form, current)
        before_token = _signer().dumps(current)
    else:
        status = 400
        before_token = request.form.get("before", "")
        try:
            before = _signer().loads(before_token)
        except BadSignature:
            abort(400)
        if form.validate_on_submit():
            values = checked_values(form, settings().wikis)
            if values is not None:
                payload = {"before": before, "after": values}
                if request.form.get("action") == "save":
                    return _journal_and_save("edit-event", wiki, view.title, payload)
                try:
                    text = page_texts.changed_event_fields(view.page, before, values, manifest)
                    preview = _preview_html(wiki, view.title, text)
                    status = 200
                except SaveRefused as refused:
                    form.name.errors.append(msg(refused.key, refused.detail))
                except (WikiUnreachable, ApiError) as error:
                    form.name.errors.append(msg("preview-failed", str(error)))
    return (
        render_template(
            "page_form.html",
            form=form,
            template="campaign_event",
            heading="form-edit-event",
            preview=preview,
            before=before_token,
            view=view,
        ),
        status,
    )
