"""What the read-only pages and feeds show, read from the wikis in few, batched requests.

The bot already turns every campaign into data: the events table on the
campaign page and its ``/events.json`` and ``/events.geojson`` subpages
(:mod:`campaignkit.codecs.campaign_data`). The dashboard reads the campaign page and both
subpages in one request; the campaigns list reads every campaign page and its
``events.json`` 25 campaigns (50 titles) per request. Reads are anonymous:
they need no login and go through no one's rate limit. Answers are cached for
a short while (``web.cache_seconds``) in the tool's Redis, shared by every
worker (:mod:`webservice.read_cache`), because a dashboard link shared on a
mailing list is opened by many people in the same minute.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, TypeVar

import requests

from campaignkit.codecs import campaign_data
from campaignkit.codecs.participants_table import ParticipantRow, read_table
from campaignkit.config import Settings
from campaignkit.contract import PARTICIPANTS_REGION, WORKLIST_REGION
from campaignkit.manifest import load_manifest
from campaignkit.model import Campaign, CampaignEvent, read_campaign, read_event
from campaignkit.submissions.page_texts import signed_up
from campaignkit.validation import FieldError
from campaignkit.wiki.batch import READ_PARAMS, PageText
from campaignkit.wiki.organizer_session import OrganizerWiki, user_agent
from campaignkit.wikitext.regions import RegionError, find_region
from campaignkit.wikitext.templates import find_calls
from webservice.read_cache import SharedCache

ANONYMOUS_BATCH = 50  # titles per request without apihighlimits
T = TypeVar("T")


# Shared by all workers through the tool's Redis (``create_app`` configures it):
# one refresh at a time, the previous answer served meanwhile (webservice/read_cache.py).
cache = SharedCache()


def reader(settings: Settings, wiki_id: str) -> OrganizerWiki:
    """An anonymous API session on one wiki."""
    return OrganizerWiki(
        settings.wiki(wiki_id),
        requests.Session(),
        agent=user_agent(settings),
        maxlag=settings.maxlag,
    )


def read_pages(api: OrganizerWiki, titles: list[str]) -> dict[str, PageText]:
    """Many pages' text, 50 titles per request, keyed by the titles asked for."""
    result: dict[str, PageText] = {}
    for start in range(0, len(titles), ANONYMOUS_BATCH):
        group = titles[start : start + ANONYMOUS_BATCH]
        answer = api.get(action="query", titles="|".join(group), **READ_PARAMS)
        query = answer.get("query", {})
        aliases = {n["from"]: n["to"] for n in query.get("normalized", [])}
        pages = {p.get("title", ""): p for p in query.get("pages", [])}
        for title in group:
            page = pages.get(aliases.get(title, title))
            result[title] = (
                PageText.from_api(page, answer.get("curtimestamp", ""))
                if page
                else PageText(title, False, invalid_reason="not returned")
            )
    return result


@dataclass
class CampaignSummary:
    """One line of the campaigns list."""

    title: str
    campaign: Campaign | None
    totals: dict[str, int] = field(default_factory=dict)
    errors: tuple[FieldError, ...] = ()


def _json(page: PageText | None) -> dict[str, Any]:
    if page is None or not page.exists:
        return {}
    try:
        document = json.loads(page.text)
    except ValueError:
        return {}
    return document if isinstance(document, dict) else {}


def list_campaigns(settings: Settings, cache_seconds: float) -> list[CampaignSummary]:
    """Every campaign on the hub, with its totals from ``events.json``."""
    return cache.get(("campaigns",), cache_seconds, lambda: _list_campaigns(settings))


def _list_campaigns(settings: Settings) -> list[CampaignSummary]:
    hub = settings.hub
    manifest = load_manifest(hub.id, hub.lang)
    api = reader(settings, hub.id)
    titles: list[str] = []
    for name in dict.fromkeys([manifest.template("campaign").name, "Campaign"]):
        params: dict[str, Any] = {
            "action": "query",
            "list": "embeddedin",
            "eititle": f"Template:{name}",
            "eilimit": "500",
            "continue": "",
        }
        while True:
            answer = api.get(**params)
            titles += [p["title"] for p in answer.get("query", {}).get("embeddedin", [])]
            if "continue" not in answer:
                break
            params.update(answer["continue"])
    titles = [t for t in dict.fromkeys(titles) if not t.startswith("Template:")]
    wanted = [x for t in titles for x in (t, campaign_data.data_titles(t)[0])]
    pages = read_pages(api, wanted)
    result = []
    for title in titles:
        reading = read_campaign(
            pages[title].text, title=title, wiki=hub.id, manifest=manifest, wiki_ids=settings.wikis
        )
        data = _json(pages.get(campaign_data.data_titles(title)[0]))
        totals = data.get("totals", {}) if isinstance(data.get("totals"), dict) else {}
        result.append(CampaignSummary(title, reading.model, totals, reading.errors))
    result.sort(key=lambda c: (c.campaign.start if c.campaign else None) or "", reverse=True)
    return result


@dataclass
class CampaignDashboard:
    """A campaign page and the bot's data about it."""

    title: str
    exists: bool
    campaign: Campaign | None
    errors: tuple[FieldError, ...]
    events: list[dict[str, Any]]
    totals: dict[str, int]
    as_of: str
    geojson: dict[str, Any]
    revision_timestamp: str = ""


def campaign_dashboard(settings: Settings, title: str, cache_seconds: float) -> CampaignDashboard:
    """The campaign page, its events.json and events.geojson: one request, cached."""
    return cache.get(
        ("campaign", title), cache_seconds, lambda: _campaign_dashboard(settings, title)
    )


def _campaign_dashboard(settings: Settings, title: str) -> CampaignDashboard:
    hub = settings.hub
    manifest = load_manifest(hub.id, hub.lang)
    json_title, geojson_title = campaign_data.data_titles(title)
    pages = read_pages(reader(settings, hub.id), [title, json_title, geojson_title])
    page = pages[title]
    reading = read_campaign(
        page.text, title=title, wiki=hub.id, manifest=manifest, wiki_ids=settings.wikis
    )
    data = _json(pages[json_title])
    events = [e for e in data.get("events", []) if isinstance(e, dict)]
    geojson = _json(pages[geojson_title]) or {"type": "FeatureCollection", "features": []}
    totals = data.get("totals") if isinstance(data.get("totals"), dict) else {}
    return CampaignDashboard(
        title=title,
        exists=page.exists,
        campaign=reading.model,
        errors=reading.errors if page.exists else (),
        events=events,
        totals={k: int(v) for k, v in (totals or {}).items() if isinstance(v, int)},
        as_of=str(data.get("as_of", "")),
        geojson=geojson,
        revision_timestamp=page.timestamp,
    )


@dataclass
class WorklistProgress:
    """How far an event's worklist is, from the bot's worklist table."""

    title: str
    total: int = 0
    done: int = 0
    readable: bool = True


@dataclass
class EventPage:
    """An event page as the webservice shows it."""

    wiki: str
    title: str
    page: PageText
    event: CampaignEvent | None
    errors: tuple[FieldError, ...]
    signups: list[str]
    participants: list[ParticipantRow]
    worklist: WorklistProgress | None = None


def event_page(settings: Settings, wiki_id: str, title: str, cache_seconds: float = 0) -> EventPage:
    """An event page, its sign-ups, the bot's participants table and worklist progress."""
    return cache.get(
        ("event", wiki_id, title), cache_seconds, lambda: _event_page(settings, wiki_id, title)
    )


def _event_page(settings: Settings, wiki_id: str, title: str) -> EventPage:
    wiki = settings.wiki(wiki_id)
    manifest = load_manifest(wiki.id, wiki.lang)
    api = reader(settings, wiki_id)
    page = read_pages(api, [title])[title]
    reading = read_event(
        page.text,
        title=page.title,
        wiki=wiki_id,
        manifest=manifest,
        wiki_ids=settings.wikis,
        hub_id=settings.hub_id,
    )
    try:
        names = signed_up(page.text, manifest, title) if page.exists else []
        region = find_region(page.text, PARTICIPANTS_REGION, title) if page.exists else None
    except Exception:  # a broken region: the page says so; the sign-ups still show
        names, region = [], None
    rows = read_table(region.content(page.text), manifest) if region else []
    event = reading.model
    worklist = None
    if event is not None and event.worklist:
        worklist = _worklist_progress(api, event.worklist, manifest)
    return EventPage(wiki_id, page.title, page, event, reading.errors, names, rows, worklist)


def _worklist_progress(api: OrganizerWiki, title: str, manifest: Any) -> WorklistProgress:
    page = read_pages(api, [title])[title]
    progress = WorklistProgress(title)
    if not page.exists:
        progress.readable = False
        return progress
    try:
        region = find_region(page.text, WORKLIST_REGION, title)
    except RegionError:
        progress.readable = False
        return progress
    if region is None:
        return progress
    for call in find_calls(region.content(page.text), manifest.template("campaign_worklist_row")):
        progress.total += 1
        if call.values.get("done", "").strip().lower() in ("yes", "y", "1", "true"):
            progress.done += 1
    return progress
