"""A campaign's events as files other tools open: iCalendar, GeoJSON, JSON and CSV.

All four are made from the bot's ``events.json`` (and ``events.geojson``) on
the hub, the same rows as the wiki's events table, so they never disagree
with it. The iCalendar feed is meant to be *subscribed* to: stable UIDs per
event page, a refresh hint, and time zones as the organizers gave them.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Blueprint, Response, abort, current_app

from campaignkit.config import Settings
from campaignkit.contract import FieldSpec, Kind
from campaignkit.validation import InvalidValue, parse_value
from webservice import campaign_reads
from webservice.event_details import EventDetails, event_details

blueprint = Blueprint("feeds", __name__)
CSV_COLUMNS = (
    "event",
    "wiki",
    "name",
    "start",
    "end",
    "timezone",
    "format",
    "location",
    "coordinates",
    "country",
    "organizers",
    "participants",
    "new_editors",
    "status",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
COORDINATES = FieldSpec("coordinates", Kind.COORDINATES, "", "")


def page_url(settings: Settings, wiki_id: str, title: str) -> str:
    """A page's address on its wiki."""
    wiki = settings.wikis.get(wiki_id)
    if wiki is None:
        return ""
    return f"{wiki.index_url}?title={quote(title.replace(' ', '_'), safe='/:')}"


def _dashboard(title: str) -> campaign_reads.CampaignDashboard:
    settings = current_app.config["CAMPAIGNKIT_SETTINGS"]
    seconds = current_app.config["CAMPAIGNKIT_WEB"].cache_seconds
    dashboard = campaign_reads.campaign_dashboard(settings, title, seconds)
    if not dashboard.exists:
        abort(404)
    return dashboard


def _moment(text: str, zone: str) -> datetime | None:
    try:
        local = datetime.strptime(text, "%Y-%m-%d %H:%M")
    except (TypeError, ValueError):
        return None
    try:
        return local.replace(tzinfo=ZoneInfo(zone or "UTC"))
    except (ZoneInfoNotFoundError, ValueError):
        return local.replace(tzinfo=UTC)


def _geo(text: str) -> tuple[float, float] | None:
    """``6.5095, 3.3711`` as (latitude, longitude) for the GEO property, if it reads."""
    try:
        value = parse_value(COORDINATES, text)
    except InvalidValue:
        return None
    return None if value is None else (value.latitude, value.longitude)


def _description(
    dashboard: campaign_reads.CampaignDashboard,
    item: dict[str, Any],
    url: str,
    details: EventDetails,
) -> str:
    """The event's own description first, then campaign, format, meeting link and page."""
    lines = [details.description] if details.description else []
    lines.append(f"{dashboard.title} — {item.get('format', '')}")
    if details.meeting_link:
        lines.append(details.meeting_link)
    if url:
        lines.append(url)
    return "\n".join(lines)


def icalendar_feed(
    settings: Settings,
    dashboard: campaign_reads.CampaignDashboard,
    details: dict[tuple[str, str], EventDetails] | None = None,
) -> bytes:
    """The campaign's events as a subscribable calendar.

    Each event has its place twice, as people and programs read it: LOCATION
    (the venue, or the meeting link for an online event) and GEO (the
    coordinates, for a map in the calendar app); an online meeting link is also
    RFC 7986's CONFERENCE. ``details`` are what only the event pages hold
    (description, meeting link; :mod:`webservice.event_details`).
    """
    from icalendar import Calendar, Event, vUri

    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.tool_name}//campaign events//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", dashboard.title)
    calendar.add("x-published-ttl", "PT1H")
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    stamp = datetime.now(UTC)
    for item in dashboard.events:
        start = _moment(str(item.get("start", "")), str(item.get("timezone", "")))
        end = _moment(str(item.get("end", "")), str(item.get("timezone", "")))
        if start is None or end is None:
            continue
        wiki, title = str(item.get("wiki", "")), str(item.get("event", ""))
        event = Event()
        event.add("uid", f"{quote(wiki)}/{quote(title)}@{settings.tool_name}")
        event.add("dtstamp", stamp)
        event.add("dtstart", start)
        event.add("dtend", end)
        event.add("summary", str(item.get("name") or title))
        extra = (details or {}).get((wiki, title), EventDetails())
        if item.get("location"):
            event.add("location", str(item["location"]))
        elif extra.meeting_link:
            event.add("location", extra.meeting_link)
        point = _geo(str(item.get("coordinates", "")))
        if point is not None:
            event.add("geo", point)
        if extra.meeting_link:
            event.add(
                "conference",
                vUri(extra.meeting_link),
                parameters={"VALUE": "URI", "FEATURE": "VIDEO"},
            )
        url = page_url(settings, wiki, title)
        if url:
            event.add("url", url)
        event.add("description", _description(dashboard, item, url, extra))
        if item.get("status") == "ended":
            event.add("status", "CONFIRMED")
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _cell(value: Any) -> str:
    text = ", ".join(value) if isinstance(value, list) else str(value if value is not None else "")
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_export(dashboard: campaign_reads.CampaignDashboard) -> str:
    """One row per event; cells that a spreadsheet would run as a formula are quoted.

    The text starts with a byte order mark: without it, spreadsheet programs
    read the file in the computer's legacy code page and garble Yoruba
    (``Ìpàdé``), Arabic and every other non-Latin-1 letter.
    """
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for item in dashboard.events:
        writer.writerow([_cell(item.get(column, "")) for column in CSV_COLUMNS])
    return out.getvalue()


def _download(body: str | bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in filename)[:100]
    response.headers["Content-Disposition"] = f'inline; filename="{safe}"'
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


@blueprint.route("/campaign/<path:title>/events.ics")
def ics(title: str) -> Response:
    """iCalendar feed (subscribe to it in any calendar app)."""
    settings = current_app.config["CAMPAIGNKIT_SETTINGS"]
    dashboard = _dashboard(title)
    pages = [(str(e.get("wiki", "")), str(e.get("event", ""))) for e in dashboard.events]
    seconds = current_app.config["CAMPAIGNKIT_WEB"].cache_seconds
    body = icalendar_feed(settings, dashboard, event_details(settings, pages, seconds))
    return _download(body, "text/calendar", f"{title}.ics")


@blueprint.route("/campaign/<path:title>/events.geojson")
def geojson(title: str) -> Response:
    """The events with coordinates, for any map tool."""
    body = json.dumps(_dashboard(title).geojson, ensure_ascii=False)
    return _download(body, "application/geo+json", f"{title}.geojson")


@blueprint.route("/campaign/<path:title>/events.json")
def events_json(title: str) -> Response:
    """The events, totals and as-of time as JSON."""
    dashboard = _dashboard(title)
    body = json.dumps(
        {
            "campaign": dashboard.title,
            "as_of": dashboard.as_of,
            "totals": dashboard.totals,
            "events": dashboard.events,
        },
        ensure_ascii=False,
    )
    return _download(body, "application/json", f"{title}.json")


@blueprint.route("/campaign/<path:title>/events.csv")
def events_csv(title: str) -> Response:
    """The events for a spreadsheet."""
    return _download(csv_export(_dashboard(title)), "text/csv", f"{title}.csv")
