"""Machine-readable data of a campaign, for maps, calendars and the webservice.

Two subpages of the campaign page, owned entirely by the bot and saved with the
JSON content model so that ``action=raw`` gives clean JSON:

- ``<campaign>/events.json``: the events table as a list of objects, with totals
  and an ``as_of`` time;
- ``<campaign>/events.geojson``: a GeoJSON FeatureCollection of the events that
  have coordinates (longitude first, as GeoJSON wants).

Both are derived from the same rows as the wiki table, so the three never disagree.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from campaignkit.codecs.events_table import EventRow, needs_fixing

INTEGER_COLUMNS = ("participants", "new_editors")
SOMETIMES_COLUMNS = ("waitlisted", "attended")  # only on events that have some


def data_titles(campaign_title: str) -> tuple[str, str]:
    """The JSON and GeoJSON subpages of a campaign page."""
    return f"{campaign_title}/events.json", f"{campaign_title}/events.geojson"


def _event_object(row: EventRow) -> dict[str, Any]:
    item: dict[str, Any] = dict(row.values)
    for column in INTEGER_COLUMNS:
        item[column] = row.number(column)
    for column in SOMETIMES_COLUMNS:
        if column in item:
            item[column] = row.number(column)
    item["organizers"] = [
        n.strip() for n in row.values.get("organizers", "").split(",") if n.strip()
    ]
    return item


def events_json(campaign_title: str, rows: list[EventRow], as_of: datetime) -> str:
    """The events table as JSON (stable key order, so unchanged data is unchanged text).

    Event pages that cannot be read are listed apart, under ``needs_fixing``
    (page, wiki, name, problem), so that calendars and feeds, which need
    dates, never meet an event without them, and nobody loses sight of them.
    """
    broken = [row for row in rows if needs_fixing(row)]
    rows = [row for row in rows if not needs_fixing(row)]
    document = {
        "campaign": campaign_title,
        "as_of": as_of.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "totals": {
            "events": len(rows),
            "participants": sum(r.number("participants") for r in rows),
            "new_editors": sum(r.number("new_editors") for r in rows),
        },
        "events": [_event_object(row) for row in rows],
    }
    if broken:
        document["needs_fixing"] = [
            {k: row.values.get(k, "") for k in ("event", "wiki", "name", "problem")}
            for row in broken
        ]
    return json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True)


def _point(row: EventRow) -> list[float] | None:
    text = row.values.get("coordinates", "")
    try:
        latitude, longitude = (float(part) for part in text.split(","))
    except ValueError:
        return None
    return [longitude, latitude]


def events_geojson(campaign_title: str, rows: list[EventRow]) -> str:
    """Events with coordinates as a GeoJSON FeatureCollection."""
    features = []
    for row in rows:
        point = _point(row)
        if point is None:
            continue
        properties = {k: v for k, v in _event_object(row).items() if k != "coordinates"}
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": point},
                "properties": properties,
            }
        )
    document = {"type": "FeatureCollection", "name": campaign_title, "features": features}
    return json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True)


def _as_stored(value: object) -> object:
    """MediaWiki stores JSON pages normalized: ``3.0`` comes back as ``3``."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _as_stored(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_stored(item) for item in value]
    return value


def without_as_of(text: str) -> str:
    """The JSON as data, without its time, to tell whether anything but the time changed.

    Compared as data, not text: a coordinate written ``3.0`` is stored as ``3``,
    and comparing text would send the same page again every run.
    """
    try:
        document = json.loads(text)
    except ValueError:
        return text
    if isinstance(document, dict):
        document.pop("as_of", None)
    return json.dumps(_as_stored(document), sort_keys=True)
