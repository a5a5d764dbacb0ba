"""Organizers' forms: new campaign, add an event, edit an event, new worklist.

Each form works the same way: check every field with the contract (errors next
to the field, values kept), then either **preview** (the wiki renders the new
page with ``action=parse``, nothing is saved) or **save** (the submission is
journaled, then saved as the organizer, then the bot's refresh is requested).
"""

from __future__ import annotations

from collections import Counter
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

from campaignkit.contract import TEMPLATES
from campaignkit.manifest import load_manifest
from campaignkit.submissions import journal, page_texts
from campaignkit.submissions import writer as submissions
from campaignkit.validation import parse_value
from campaignkit.wiki.batch import PageText
from campaignkit.wiki.errors import WikiUnreachable
from campaignkit.wiki.organizer_editing import SaveRefused
from campaignkit.wiki.organizer_session import ApiError
from webservice import campaign_reads, form_checks
from webservice.all_day import (
    show_as_whole_days,
    tick_if_whole_days,
    use_dates_only,
    with_all_day,
    written_as_dates,
)
from webservice.field_limits import bounded_form
from webservice.form_checks import clean_hashtag
from webservice.forms import ContractForm, checked_page_title, checked_values, fill, make_form
from webservice.i18n import msg
from webservice.locale_names import keep_current_choice, with_pickers
from webservice.refresh import request_refresh
from webservice.security import login_required, writes

blueprint = Blueprint("organizer", __name__)


def settings() -> Any:
    """The shared configuration of this app."""
    return current_app.config["CAMPAIGNKIT_SETTINGS"]


def web() -> Any:
    """The webservice's own settings."""
    return current_app.config["CAMPAIGNKIT_WEB"]


@blueprint.context_processor
def _map_settings() -> dict[str, str]:
    """The tile server for the coordinates picker (none configured: no picker)."""
    return {"tile_url": web().tile_url, "tile_attribution": web().tile_attribution}


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


def _journal_and_save(kind: str, wiki_id: str, title: str, payload: dict) -> tuple[Any, str]:
    """Record first, then try at once; the status page tells what happened.

    A save the wiki refused (the page was created meanwhile, a field someone
    else changed, a protection) returns ``(None, reason)`` instead, so the view
    shows the form again with everything the organizer typed and the reason
    on top, rather than a status page they would have to go back from.
    """
    entry = journal.record(
        settings(), username=g.login.username, kind=kind, wiki=wiki_id, title=title, payload=payload
    )
    state = submissions.attempt(
        settings(), web(), entry.id, login=g.login, on_saved=request_refresh
    )
    campaign_reads.cache.clear()
    if state is not None and state.status == journal.REFUSED:
        key, _, detail = state.message.partition("|")
        return None, msg(key or "error-wiki-refused", detail)
    return redirect(url_for("pages.submission", submission_id=entry.id)), ""


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
    refused = ""
    status = 200
    if request.method == "POST":
        status = 400
        clean_typed_hashtag(form)
        all_day = use_dates_only(form)
        if form.validate_on_submit():
            values = checked_values(form, wiki_ids)
            if values is not None and all_day:
                values = written_as_dates(values)
            title = checked_page_title(form)
            wiki_id = settings().hub_id if "page_wiki" not in form else form.page_wiki.data
            if wiki_id not in wiki_ids:
                form.page_wiki.errors = [msg("error-invalid-wiki")]
                values = None
            if title is not None and wiki_id in wiki_ids:
                title = _checked_namespace(form, wiki_id, title)
            if values is not None and not _wiki_checks(form, wiki_id, values):
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
                    saved, refused = _journal_and_save(kind, wiki_id, title, {"params": values})
                    if saved is not None:
                        return saved
                else:
                    wiki = settings().wiki(wiki_id)
                    text = page_builder(
                        PageText(title, False), values, load_manifest(wiki.id, wiki.lang)
                    )
                    try:
                        preview = _preview_html(wiki_id, title, text)
                        status = 200
                    except (WikiUnreachable, ApiError) as error:
                        form.page_title.errors.append(msg("preview-failed", str(error)))
    _show_current_choices(form)
    show_as_whole_days(form)
    return (
        render_template(
            "page_form.html",
            form=form,
            template=template,
            heading=heading,
            preview=preview,
            refused=refused,
            **(extra or {}),
        ),
        409 if refused else status,
    )


def clean_typed_hashtag(form: ContractForm) -> None:
    """Drop the ``#`` organizers often type before a hashtag (the wiki stores it without)."""
    if "hashtag" in form and request.method == "POST":
        form.hashtag.data = clean_hashtag(form.hashtag.data or "")


def _checked_namespace(form: ContractForm, wiki_id: str, title: str) -> str | None:
    """The title when its namespace (by number, from the wiki's siteinfo) takes new pages."""
    try:
        problem = form_checks.new_page_problem(settings(), wiki_id, title)
    except (WikiUnreachable, ApiError):
        return title  # the English-prefix check already ran; the wiki checks on save
    if problem:
        form.page_title.errors.append(msg("error-page-namespace", problem))
        return None
    return title


def _wiki_checks(form: ContractForm, wiki_id: str, values: dict[str, str]) -> bool:
    """Campaign, organizers and hashtag as the wiki sees them; errors go next to the fields."""
    organizers: tuple[str, ...] = ()
    if values.get("organizers"):
        spec = TEMPLATES[form.template_key].field("organizers")
        organizers = parse_value(spec, values["organizers"]) or ()
    problems = form_checks.wiki_checks(settings(), wiki_id, values, organizers)
    for name, (key, detail) in problems.items():
        form[name].errors = [*(form[name].errors or []), msg(key, detail)]
    return not problems


def contract_form(template_key: str, **options: Any) -> ContractForm:
    """A contract form with a length limit on every field, pickers and input directions."""
    form_class = bounded_form(make_form(template_key, settings().wikis, **options), template_key)
    return with_pickers(with_all_day(form_class), g.lang)()


def _show_current_choices(form: ContractForm) -> None:
    for name in ("timezone", "country"):
        if name in form:
            keep_current_choice(form[name])


def usual_time_zone(events: list[dict[str, Any]]) -> str:
    """The time zone most of a campaign's events use (UTC when none says)."""
    zones = Counter(str(e.get("timezone") or "") for e in events if e.get("timezone"))
    return zones.most_common(1)[0][0] if zones else "UTC"


@blueprint.route("/new/campaign", methods=["GET", "POST"])
@login_required
@writes
def new_campaign() -> Any:
    """Start a campaign: its page on the hub with ``{{Campaign}}``."""
    form = contract_form("campaign")
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
    form = contract_form("campaign_event")
    if request.method == "GET":
        fill(
            form,
            {
                "campaign": campaign.page.title,
                "hashtag": campaign.hashtag,
                "organizers": g.login.username,
                "start": f"{campaign.start.isoformat()} 10:00",
                "end": f"{campaign.start.isoformat()} 16:00",
                "timezone": usual_time_zone(dashboard.events),
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
    form = contract_form("worklist")
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
    form = contract_form("campaign_event", page_fields=False)
    wiki_config = settings().wiki(wiki)
    manifest = load_manifest(wiki_config.id, wiki_config.lang)
    current = view.event.to_params()
    preview = ""
    refused = ""
    status = 200
    if request.method == "GET":
        fill(form, current)
        tick_if_whole_days(form, current)
        before_token = _signer().dumps(current)
    else:
        status = 400
        before_token = request.form.get("before", "")
        try:
            before = _signer().loads(before_token)
        except BadSignature:
            abort(400)
        clean_typed_hashtag(form)
        all_day = use_dates_only(form)
        if form.validate_on_submit():
            values = checked_values(form, settings().wikis)
            if values is not None and all_day:
                values = written_as_dates(values)
            if values is not None and not _wiki_checks(form, wiki, _changed(values, before)):
                values = None
            if values is not None:
                payload = {"before": before, "after": values}
                saved = None
                if request.form.get("action") == "save":
                    saved, refused = _journal_and_save("edit-event", wiki, view.title, payload)
                    if saved is not None:
                        return saved
                else:
                    try:
                        text = page_texts.changed_event_fields(view.page, before, values, manifest)
                        preview = _preview_html(wiki, view.title, text)
                        status = 200
                    except SaveRefused as error:
                        form.name.errors.append(msg(error.key, error.detail))
                    except (WikiUnreachable, ApiError) as error:
                        form.name.errors.append(msg("preview-failed", str(error)))
    _show_current_choices(form)
    show_as_whole_days(form)
    return (
        render_template(
            "page_form.html",
            form=form,
            template="campaign_event",
            heading="form-edit-event",
            preview=preview,
            refused=refused,
            before=before_token,
            view=view,
        ),
        409 if refused else status,
    )


def _changed(values: dict[str, str], before: dict[str, str]) -> dict[str, str]:
    """Only the fields an edit changes, so an old page's values are not held against it."""
    return {k: v for k, v in values.items() if v != before.get(k, "")}


@blueprint.route("/campaign/<path:title>/edit", methods=["GET", "POST"])
@login_required
@writes
def edit_campaign(title: str) -> Any:
    """Change a campaign's details (its organizers only); only changed fields are written.

    Like an event's edit: the form shows the page's values, and a field that
    someone changed on the wiki meanwhile stops the save, naming the field,
    rather than being overwritten.
    """
    dashboard = campaign_reads.campaign_dashboard(settings(), title, 0)
    if not dashboard.exists or dashboard.campaign is None:
        abort(404)
    campaign = dashboard.campaign
    if g.login.username not in campaign.organizers:
        return render_template("forbidden.html", campaign_page=dashboard.title), 403
    hub = settings().hub
    manifest = load_manifest(hub.id, hub.lang)
    form = contract_form("campaign", page_fields=False)
    current = campaign.to_params()
    preview = ""
    refused = ""
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
        clean_typed_hashtag(form)
        if form.validate_on_submit():
            values = checked_values(form, settings().wikis)
            if values is not None and not _wiki_checks(form, hub.id, _changed(values, before)):
                values = None
            if values is not None:
                payload = {"before": before, "after": values}
                if request.form.get("action") == "save":
                    saved, refused = _journal_and_save(
                        "edit-campaign", hub.id, dashboard.title, payload
                    )
                    if saved is not None:
                        return saved
                else:
                    try:
                        text = page_texts.changed_campaign_fields(
                            PageText(dashboard.title, True, _page_text(dashboard.title)),
                            before,
                            values,
                            manifest,
                        )
                        preview = _preview_html(hub.id, dashboard.title, text)
                        status = 200
                    except SaveRefused as error:
                        form.name.errors.append(msg(error.key, error.detail))
                    except (WikiUnreachable, ApiError) as error:
                        form.name.errors.append(msg("preview-failed", str(error)))
    return (
        render_template(
            "page_form.html",
            form=form,
            template="campaign",
            heading="form-edit-campaign",
            preview=preview,
            refused=refused,
            before=before_token,
            campaign_page=dashboard.title,
        ),
        409 if refused else status,
    )


def _page_text(title: str) -> str:
    """The hub page's current text (for a preview of the changed fields)."""
    api = campaign_reads.reader(settings(), settings().hub_id)
    return campaign_reads.read_pages(api, [title])[title].text
