"""Every campaign's events in one place: ``/events``, its feeds, and an embeddable list.

Everything here reads one page: the bot's calendar data page on the hub
(``<calendar_page>/events.json``, :mod:`campaignkit.codecs.calendar_data`),
once per cache period for every reader, through the same shared cache as the
dashboards. The filters are the data codec's (:func:`calendar_data.select`),
the same rules ``{{Campaign events list}}`` applies on the wiki, so a link
with ``?country=NG&limit=5`` shows here what the template shows there.

- ``/events``: the list by month with a map, and a filter form that works
  without JavaScript (a GET form; every filter is a query parameter);
- ``/events.ics``, ``.geojson``, ``.json``, ``.csv``: the same selection as
  files other tools open (a subscribable calendar, a map layer, data);
- ``/embed/events``: the list alone for an affiliate's own website — framable
  by any site, no cookie, no script, a few kilobytes.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import quote

from babel.dates import format_date, format_skeleton
from flask import Blueprint, Response, abort, current_app, g, render_template, request, url_for
from markupsafe import Markup

from campaignkit.codecs import calendar_data
from campaignkit.codecs.calendar_data import CalendarData, Filters
from campaignkit.config import Settings
from webservice import campaign_reads
from webservice.feeds import FORMULA_STARTS, page_url
from webservice.locale_names import country_name

blueprint = Blueprint("calendar", __name__)
PAGE_LIMIT = 200  # events on /events unless the reader asks for more (limit=)
EMBED_LIMIT = 10
CSV_COLUMNS = (
    *calendar_data.COLUMNS,
    "campaign_name",
    "topics",
    "country_name",
    "url",
)
EMBED_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors *"
)


def _settings() -> Settings:
    return current_app.config["CAMPAIGNKIT_SETTINGS"]


def read_calendar(settings: Settings, cache_seconds: float) -> CalendarData:
    """The calendar data page, read once per cache period for every reader."""
    return campaign_reads.cache.get(
        ("calendar", settings.calendar_page), cache_seconds, lambda: _read_calendar(settings)
    )


def _read_calendar(settings: Settings) -> CalendarData:
    title = calendar_data.data_title(settings.calendar_page)
    api = campaign_reads.reader(settings, settings.hub_id)
    page = campaign_reads.read_pages(api, [title])[title]
    if not page.exists:
        return CalendarData()
    return calendar_data.read_document(page.text)


def _selection(default_limit: int | None) -> tuple[CalendarData, Filters, list[str], list]:
    """The calendar, the reader's filters, their problems, and the events they select."""
    settings = _settings()
    if not settings.calendar_page:
        abort(404)
    data = read_calendar(settings, current_app.config["CAMPAIGNKIT_WEB"].cache_seconds)
    filters, problems = calendar_data.parse_filters(request.args)
    now = datetime.now(UTC).strftime(calendar_data.DATETIME_FORMAT)
    return data, filters, problems, calendar_data.select(data, filters, now, default_limit)


def event_url(event: dict[str, Any]) -> str:
    """The event page on its wiki."""
    return page_url(_settings(), str(event.get("wiki", "")), str(event.get("event", "")))


def _day(text: str) -> date:
    return date.fromisoformat(text[:10])


def when(event: dict[str, Any], language: str) -> str:
    """The event's local date(s) and times in the reader's language (its zone beside it)."""
    start, end = str(event["start"]), str(event["end"])
    start_day = format_date(_day(start), "long", locale=language)
    if start[:10] == end[:10]:
        return f"{start_day}, {start[11:16]}–{end[11:16]}"
    end_day = format_date(_day(end), "long", locale=language)
    return f"{start_day} {start[11:16]} – {end_day} {end[11:16]}"


def _months(events: list[dict[str, Any]], language: str) -> list[tuple[str, list[dict]]]:
    """Events grouped by the month they start in, in calendar order."""
    groups: list[tuple[str, list[dict]]] = []
    for event in events:
        month = str(event["start"])[:7]
        label = format_skeleton("yMMMM", _day(f"{month}-01"), locale=language)
        if not groups or groups[-1][0] != label:
            groups.append((label, []))
        groups[-1][1].append(event)
    return groups


def _context(data: CalendarData, filters: Filters) -> dict[str, Any]:
    """What the page and the embed show of every event: names in the reader's language."""
    language = g.get("lang", "en")
    languages = data.names.get("languages", {})
    return {
        "data": data,
        "filters": filters,
        "params": filters.as_params(),
        "vocabulary": data.vocabulary(),
        "when": lambda e: when(e, language),
        "country": lambda code: country_name(code, language) if code else "",
        "language_name": lambda code: languages.get(code, code),
        "campaign_name": lambda title: data.campaigns.get(title, {}).get("name") or title,
        "event_url": event_url,
    }


@blueprint.route("/events")
def events() -> Any:
    """Every campaign's ongoing and upcoming events by month, a map, and filters."""
    data, filters, problems, selected = _selection(PAGE_LIMIT)
    context = _context(data, filters)
    web = current_app.config["CAMPAIGNKIT_WEB"]
    located = sum(1 for e in selected if e.get("coordinates"))
    limit = filters.limit or PAGE_LIMIT
    more_url = ""
    if len(selected) >= limit and limit < calendar_data.MAX_LIMIT:
        wider = {**filters.as_params(), "limit": str(min(limit * 2, calendar_data.MAX_LIMIT))}
        more_url = url_for("calendar.events", **wider)
    return render_template(
        "events.html",
        months=_months(selected, g.get("lang", "en")),
        count=len(selected),
        more_url=more_url,
        located=located,
        problems=problems,
        tile_url=web.tile_url,
        tile_attribution=web.tile_attribution,
        embed_code=_embed_code(filters),
        **context,
    )


def _embed_code(filters: Filters) -> str:
    """The ``<iframe>`` an affiliate pastes into its website for this selection."""
    query = "&".join(f"{k}={quote(v)}" for k, v in filters.as_params().items())
    source = request.url_root.rstrip("/") + "/embed/events" + (f"?{query}" if query else "")
    return (
        f'<iframe src="{source}" title="Wikimedia events" width="100%" height="400" '
        'style="border:0" loading="lazy"></iframe>'
    )


@blueprint.route("/embed/events")
def embed() -> Any:
    """The list alone, for other websites' pages: framable, no cookie, no script."""
    data, filters, _problems, selected = _selection(EMBED_LIMIT)
    # Rendered without the app's context processors: they make the footer's
    # language form, whose CSRF token would put a session cookie on the answer.
    template = current_app.jinja_env.get_template("events_embed.html")
    body = template.render(
        g=g,
        months=_months(selected, g.get("lang", "en")),
        **_context(data, filters),
    )
    response = Response(body, mimetype="text/html")
    response.headers["Content-Security-Policy"] = EMBED_POLICY
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _download(body: str | bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


def _item(event: dict[str, Any], data: CalendarData) -> dict[str, Any]:
    """One event for the feeds: its columns and what they name, spelled out."""
    campaign = data.campaigns.get(str(event["campaign"]), {})
    return {
        **event,
        "campaign_name": campaign.get("name") or event["campaign"],
        "topics": list(campaign.get("topics", [])),
        "country_name": data.names.get("countries", {}).get(event.get("country", ""), ""),
        "url": event_url(event),
    }


@blueprint.route("/events.json")
def events_json() -> Response:
    """The selected events as JSON, with the filters applied and the data's as-of time."""
    data, filters, problems, selected = _selection(None)
    body = {
        "as_of": data.as_of,
        "filters": filters.as_params(),
        "problems": problems,
        "count": len(selected),
        "events": [_item(e, data) for e in selected],
    }
    return _download(json.dumps(body, ensure_ascii=False), "application/json", "events.json")


def _point(event: dict[str, Any]) -> list[float] | None:
    try:
        latitude, longitude = (float(p) for p in str(event.get("coordinates", "")).split(","))
    except ValueError:
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return [longitude, latitude]


@blueprint.route("/events.geojson")
def events_geojson() -> Response:
    """The selected events that have coordinates, as a GeoJSON FeatureCollection."""
    data, _filters, _problems, selected = _selection(None)
    features = []
    for event in selected:
        point = _point(event)
        if point is None:
            continue
        properties = {k: v for k, v in _item(event, data).items() if k != "coordinates"}
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": point},
                "properties": properties,
            }
        )
    body = {"type": "FeatureCollection", "features": features}
    return _download(json.dumps(body, ensure_ascii=False), "application/geo+json", "events.geojson")


def _cell(value: Any) -> str:
    text = ", ".join(value) if isinstance(value, list) else str(value if value is not None else "")
    return "'" + text if text.startswith(FORMULA_STARTS) else text


@blueprint.route("/events.csv")
def events_csv() -> Response:
    """The selected events for a spreadsheet (cells that would run as formulas are quoted)."""
    data, _filters, _problems, selected = _selection(None)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for event in selected:
        item = _item(event, data)
        writer.writerow([_cell(item.get(column, "")) for column in CSV_COLUMNS])
    return _download(out.getvalue(), "text/csv", "events.csv")


def _moment(local: str, zone: str) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime.strptime(local, "%Y-%m-%d %H:%M").replace(tzinfo=ZoneInfo(zone or "UTC"))


@blueprint.route("/events.ics")
def events_ics() -> Response:
    """The selected events as a calendar to subscribe to (stable UIDs, events' own zones)."""
    from icalendar import Calendar, Event, vGeo

    settings = _settings()
    data, filters, _problems, selected = _selection(None)
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.tool_name}//movement-wide calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    name = settings.calendar_page
    if filters.as_params():
        name += " (" + ", ".join(f"{k}={v}" for k, v in filters.as_params().items()) + ")"
    calendar.add("x-wr-calname", name)
    calendar.add("x-published-ttl", "PT1H")
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    stamp = datetime.now(UTC)
    for event in selected:
        item = _item(event, data)
        entry = Event()
        entry.add("uid", f"{quote(item['wiki'])}/{quote(item['event'])}@{settings.tool_name}")
        entry.add("dtstamp", stamp)
        entry.add("dtstart", _moment(item["start"], item["timezone"]))
        entry.add("dtend", _moment(item["end"], item["timezone"]))
        entry.add("summary", item["name"] or item["event"])
        place = ", ".join(p for p in (item.get("location"), item["country_name"]) if p)
        if place:
            entry.add("location", place)
        if item["url"]:
            entry.add("url", item["url"])
        details = [item["campaign_name"], item["format"], item.get("language", ""), item["url"]]
        entry.add("description", " — ".join(str(d) for d in details if d))
        if item["topics"]:
            entry.add("categories", item["topics"])
        point = _point(item)
        if point is not None:
            entry.add("geo", vGeo((point[1], point[0])))
        entry.add("status", "CONFIRMED")
        calendar.add_component(entry)
    calendar.add_missing_timezones()
    return _download(calendar.to_ical(), "text/calendar", "events.ics")


@blueprint.app_template_filter("feed_query")
def feed_query(params: dict[str, str]) -> Markup:
    """Filters as a query string for the feed links (``?country=NG&limit=5``)."""
    if not params:
        return Markup("")
    return Markup("?" + "&amp;".join(f"{quote(k)}={quote(v)}" for k, v in params.items()))
