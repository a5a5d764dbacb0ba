"""The movement-wide calendar as data: every campaign's events in one JSON page.

The bot keeps ``<calendar page>/events.json`` on the hub (JSON content model).
Three readers use it and must agree on every event they show:

- the Lua module (``{{Campaign events list}}``, through ``mw.loadJsonData``),
- the webservice (``/events`` and its feeds, one cached read of the page),
- the bot's own calendar page (rendered from the same document).

So the document is built here, and the filters (topic, country, format,
language, wiki, campaign, from, to, limit) are defined here once, in
:func:`select`; ``Module:Campaignkit``'s ``events_list`` implements the same
rules, and a test renders both on the same data.

The events are stored as rows under ``columns`` (not one object per event): a
JSON page is saved pretty-printed by MediaWiki, and repeating every key of
5,000 events would double the page past MediaWiki's size limit (2 MB).
Events are sorted by start (UTC), so a reader never sorts; ``status`` is as of
``as_of``, so the page changes (and pages that embed the list are re-rendered)
when an event starts or ends.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from campaignkit.campaign_tree import CampaignTree
from campaignkit.contract import EVENT_FORMATS

DATETIME_FORMAT = "%Y-%m-%d %H:%M"
COLUMNS = (
    "wiki",
    "event",
    "name",
    "campaign",
    "start",
    "end",
    "timezone",
    "start_utc",
    "end_utc",
    "format",
    "location",
    "coordinates",
    "country",
    "language",
    "signup",
    "participants",
    "status",
)
INTEGER_COLUMNS = frozenset({"participants"})
DEFAULT_LIMIT = 20
MAX_LIMIT = 500  # an embedded list longer than this would strain the page's limits


def data_title(calendar_page: str) -> str:
    """The JSON page beside the calendar page."""
    return f"{calendar_page}/events.json"


def split_topics(text: str) -> tuple[str, ...]:
    """A campaign's ``topic`` field: topics separated by commas, as the campaign wrote them."""
    return tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))


@dataclass(frozen=True)
class CampaignInfo:
    """What the calendar needs of one campaign page."""

    title: str
    name: str = ""
    topics: tuple[str, ...] = ()
    parent: str = ""


def _utc(local: str, zone: str) -> str:
    """A local ``YYYY-MM-DD HH:MM`` in ``zone`` as the same format in UTC ("" if invalid)."""
    try:
        moment = datetime.strptime(local, DATETIME_FORMAT).replace(tzinfo=ZoneInfo(zone or "UTC"))
    except (ValueError, ZoneInfoNotFoundError):
        return ""
    return moment.astimezone(UTC).strftime(DATETIME_FORMAT)


def status_at(start_utc: str, end_utc: str, now: datetime) -> str:
    """upcoming, ongoing or ended (the events table's rule, on UTC text)."""
    moment = now.astimezone(UTC).strftime(DATETIME_FORMAT)
    if moment < start_utc:
        return "upcoming"
    if moment <= end_utc:
        return "ongoing"
    return "ended"


def calendar_event(values: Mapping[str, str], now: datetime) -> dict[str, Any] | None:
    """One event of the calendar from its row in its campaign's table (None if undated)."""
    start_utc = _utc(values.get("start", ""), values.get("timezone", ""))
    end_utc = _utc(values.get("end", ""), values.get("timezone", ""))
    if not start_utc or not end_utc or not values.get("event") or not values.get("wiki"):
        return None
    item: dict[str, Any] = {column: values.get(column, "") for column in COLUMNS}
    item["timezone"] = values.get("timezone") or "UTC"
    item["start_utc"], item["end_utc"] = start_utc, end_utc
    item["country"] = (values.get("country") or "").upper()
    item["signup"] = values.get("signup") or ""
    try:
        item["participants"] = int(values.get("participants") or 0)
    except ValueError:
        item["participants"] = 0
    item["status"] = status_at(start_utc, end_utc, now)
    return item


def sort_events(events: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """By start (UTC), then wiki and page, so equal data is equal text."""
    return sorted(events, key=lambda e: (e["start_utc"], e["end_utc"], e["wiki"], e["event"]))


def campaigns_section(
    infos: Mapping[str, CampaignInfo], tree: CampaignTree, used: Iterable[str]
) -> dict[str, dict[str, Any]]:
    """Each campaign that has events (or is part of the chain of one that has).

    ``ancestors`` are the wider campaigns it is part of (cycles left out), and
    ``topics`` its own topics plus theirs: a national edition of a climate
    campaign is about climate even when its page does not say so again.
    """
    wanted: set[str] = set()
    for title in used:
        wanted.add(title)
        wanted.update(tree.ancestors(title))
    section = {}
    for title in sorted(wanted):
        info = infos.get(title, CampaignInfo(title))
        ancestors = tree.ancestors(title)
        topics = list(info.topics)
        for ancestor in ancestors:
            topics += [t for t in infos.get(ancestor, CampaignInfo(ancestor)).topics]
        section[title] = {
            "name": info.name or title,
            "parent": tree.parents.get(title, ""),
            "ancestors": ancestors,
            "topics": list(dict.fromkeys(topics)),
        }
    return section


def build_document(
    calendar_page: str,
    events: Iterable[dict[str, Any]],
    campaigns: Mapping[str, dict[str, Any]],
    names: Mapping[str, Mapping[str, str]],
    as_of: datetime,
) -> dict[str, Any]:
    """The data page's document (``names``: display names of countries and languages)."""
    ordered = sort_events(events)
    return {
        "calendar": calendar_page,
        "as_of": as_of.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "columns": list(COLUMNS),
        "events": [[event[column] for column in COLUMNS] for event in ordered],
        "campaigns": dict(campaigns),
        "names": {kind: dict(sorted(table.items())) for kind, table in sorted(names.items())},
        "totals": {
            "events": len(ordered),
            "campaigns": len({e["campaign"] for e in ordered}),
            "upcoming": sum(1 for e in ordered if e["status"] == "upcoming"),
            "ongoing": sum(1 for e in ordered if e["status"] == "ongoing"),
        },
    }


def dumps(document: Mapping[str, Any]) -> str:
    """Compact JSON text (MediaWiki pretty-prints it when saving)."""
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _as_stored(value: object) -> object:
    """MediaWiki stores JSON pages normalized: ``3.0`` comes back as ``3``."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _as_stored(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_stored(item) for item in value]
    return value


def comparable(document: Mapping[str, Any] | str) -> str:
    """The document as data without its ``as_of``: equal when nothing but the time changed."""
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            return document
    if not isinstance(document, dict):
        return json.dumps(document)
    data = {key: value for key, value in document.items() if key != "as_of"}
    return json.dumps(_as_stored(data), sort_keys=True, ensure_ascii=False)


@dataclass
class CalendarData:
    """The data page as readers use it: events as dicts, campaigns, names, as-of time."""

    events: list[dict[str, Any]] = field(default_factory=list)
    campaigns: dict[str, dict[str, Any]] = field(default_factory=dict)
    names: dict[str, dict[str, str]] = field(default_factory=dict)
    as_of: str = ""
    readable: bool = True

    def vocabulary(self) -> dict[str, list[str]]:
        """The values a filter can take, from the events themselves (one list per filter)."""
        topics = {t for c in self.campaigns.values() for t in c.get("topics", [])}
        return {
            "topic": sorted(topics, key=str.casefold),
            "country": sorted({e["country"] for e in self.events if e.get("country")}),
            "format": [f for f in EVENT_FORMATS if any(e.get("format") == f for e in self.events)],
            "language": sorted({e["language"] for e in self.events if e.get("language")}),
            "wiki": sorted({e["wiki"] for e in self.events if e.get("wiki")}),
            "campaign": sorted(self.campaigns, key=str.casefold),
        }


def read_document(text: str) -> CalendarData:
    """The data page's text as :class:`CalendarData`; unreadable text gives ``readable=False``."""
    try:
        document = json.loads(text)
        columns = document["columns"]
        events = [dict(zip(columns, row, strict=True)) for row in document["events"]]
    except (ValueError, KeyError, TypeError):
        return CalendarData(readable=False)
    campaigns = document.get("campaigns")
    names = document.get("names")
    return CalendarData(
        events=events,
        campaigns=campaigns if isinstance(campaigns, dict) else {},
        names=names if isinstance(names, dict) else {},
        as_of=str(document.get("as_of", "")),
    )


# --- filters (the Lua module's events_list follows the same rules) -----------------

FILTERS = ("topic", "country", "format", "language", "wiki", "campaign", "from", "to", "limit")


@dataclass(frozen=True)
class Filters:
    """What a reader asked for; empty means "any". Dates are the event's local dates."""

    topic: str = ""
    country: str = ""
    format: str = ""
    language: str = ""
    wiki: str = ""
    campaign: str = ""
    from_: str = ""  # YYYY-MM-DD; empty: events not ended yet (ongoing and upcoming)
    to: str = ""  # YYYY-MM-DD
    limit: int | None = None

    def as_params(self) -> dict[str, str]:
        """The filters that are set, as query parameters (``from``, not ``from_``)."""
        params = {
            "topic": self.topic,
            "country": self.country,
            "format": self.format,
            "language": self.language,
            "wiki": self.wiki,
            "campaign": self.campaign,
            "from": self.from_,
            "to": self.to,
            "limit": str(self.limit) if self.limit is not None else "",
        }
        return {key: value for key, value in params.items() if value}


def _date(text: str) -> str:
    """``YYYY-MM-DD`` when it is a real day, else "" (the Lua module accepts only that form)."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return ""
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        return ""


def parse_filters(values: Mapping[str, str]) -> tuple[Filters, list[str]]:
    """Filters from query parameters or template arguments; problems name the parameter.

    A bad value is reported and ignored (the list is shown without that filter),
    as the template does, so a typo never empties an affiliate's page.
    """
    problems = []

    def text(name: str) -> str:
        return " ".join(str(values.get(name) or "").split())

    from_, to = text("from"), text("to")
    if from_ and not _date(from_):
        problems.append(f'from: "{from_}" is not a date (YYYY-MM-DD)')
        from_ = ""
    if to and not _date(to):
        problems.append(f'to: "{to}" is not a date (YYYY-MM-DD)')
        to = ""
    limit: int | None = None
    if text("limit"):
        try:
            if not text("limit").isascii() or not text("limit").isdigit():
                raise ValueError
            limit = int(text("limit"))
            if limit < 1:
                raise ValueError
        except ValueError:
            problems.append(f'limit: "{text("limit")}" is not a whole number above 0')
            limit = None
    format_ = text("format").lower()
    if format_ and format_ not in EVENT_FORMATS:
        problems.append(f'format: "{format_}" is not one of {", ".join(EVENT_FORMATS)}')
        format_ = ""
    campaign = text("campaign").replace("_", " ")
    filters = Filters(
        topic=text("topic"),
        country=text("country").upper(),
        format=format_,
        language=text("language").lower(),
        wiki=text("wiki").lower(),
        campaign=campaign[:1].upper() + campaign[1:],
        from_=_date(from_) if from_ else "",
        to=_date(to) if to else "",
        limit=min(limit, MAX_LIMIT) if limit is not None else None,
    )
    return filters, problems


def matches(
    event: Mapping[str, Any],
    filters: Filters,
    campaigns: Mapping[str, Mapping[str, Any]],
    now: str,
) -> bool:
    """Whether one event passes every filter that is set.

    ``from`` keeps events whose local end date is on or after it (without
    it: events that have not ended at ``now``, UTC ``YYYY-MM-DD HH:MM``);
    ``to`` keeps events whose local start date is on or before it;
    ``campaign`` also matches events of campaigns that are part of it;
    ``topic`` compares without case with the campaign's topics (its own and
    its wider campaigns'); the others compare codes exactly.
    """
    start_day, end_day = str(event.get("start", ""))[:10], str(event.get("end", ""))[:10]
    if filters.from_ and end_day < filters.from_:
        return False
    if not filters.from_ and str(event.get("end_utc", "")) < now:
        return False
    if filters.to and start_day > filters.to:
        return False
    for name in ("country", "format", "language", "wiki"):
        wanted = getattr(filters, name)
        if wanted and str(event.get(name, "")) != wanted:
            return False
    campaign = campaigns.get(str(event.get("campaign", "")), {})
    if (
        filters.campaign
        and filters.campaign != event.get("campaign")
        and filters.campaign not in campaign.get("ancestors", [])
    ):
        return False
    if filters.topic:
        wanted = filters.topic.lower()
        if not any(str(t).lower() == wanted for t in campaign.get("topics", [])):
            return False
    return True


def select(
    data: CalendarData, filters: Filters, now: str, default_limit: int | None = None
) -> list[dict[str, Any]]:
    """The events that pass the filters, in calendar order, at most ``limit`` of them."""
    found = [e for e in data.events if matches(e, filters, data.campaigns, now)]
    limit = filters.limit if filters.limit is not None else default_limit
    return found[:limit] if limit is not None else found
