"""The webservice's movement-wide calendar on the real wikis: /events, its feeds, the embed.

The bot syncs a movement (a global campaign, its national edition, events on
both wikis) with the calendar; the app then reads the calendar's data page on
the hub. The feeds are parsed as other tools parse them: the iCalendar feed by
``icalendar``, the GeoJSON checked as RFC 7946 wants it, the CSV by ``csv``.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from tests.calendar_support import Movement, calendar_sync

pytestmark = pytest.mark.wiki
pytest_plugins = ("tests.web_support",)


@pytest.fixture
def movement(farm, settings, tmp_path, redis_url, human, unique_title):
    movement = Movement(human, unique_title)
    summary = calendar_sync(farm, settings, tmp_path, redis_url)().run(
        [movement.parent, movement.child]
    )
    assert not summary.errors, summary.lines()
    return movement


def test_feeds_follow_the_filters_and_parse(client, movement):
    ics = client.get(f"/events.ics?campaign={movement.parent}")
    assert ics.status_code == 200 and ics.mimetype == "text/calendar"
    calendar = Calendar.from_ical(ics.data)
    events = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {"Online ''session''", f"Lagos {movement.id}"}  # not the ended one
    lagos = events[f"Lagos {movement.id}"]
    start = lagos.decoded("dtstart")
    assert start.tzinfo is not None and start.utcoffset() == ZoneInfo("Africa/Lagos").utcoffset(
        start.replace(tzinfo=None)
    )
    assert f"{movement.later_day}" == start.date().isoformat()
    assert str(lagos["location"]) == "Yaba Library, Nigeria"
    assert [str(c) for c in lagos["categories"].cats] == [movement.topic, "Water"]
    assert str(lagos["uid"]).startswith("yowiki/")
    assert "Africa/Lagos" in {str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")}
    assert client.get("/events.ics?campaign=No such campaign").status_code == 200

    geo = client.get(f"/events.geojson?campaign={movement.parent}")
    assert geo.mimetype == "application/geo+json"
    collection = json.loads(geo.data)
    assert collection["type"] == "FeatureCollection"
    (feature,) = collection["features"]  # the only event with coordinates
    assert feature["type"] == "Feature"
    assert feature["geometry"] == {"type": "Point", "coordinates": [3.3711, 6.5095]}
    assert feature["properties"]["event"] == movement.lagos
    assert feature["properties"]["campaign_name"] == f"Nigeria {movement.id}"

    data = client.get(f"/events.json?campaign={movement.parent}&country=ng").get_json()
    assert [e["event"] for e in data["events"]] == [movement.lagos]
    assert data["filters"] == {"campaign": movement.parent, "country": "NG"}
    assert data["events"][0]["url"].startswith("http://127.0.0.1")
    assert data["as_of"]
    bad = client.get(f"/events.json?campaign={movement.parent}&from=tomorrow&limit=-1")
    assert bad.status_code == 200 and len(bad.get_json()["problems"]) == 2
    topic = client.get(f"/events.json?topic={movement.topic.lower()}&from=2000-01-01").get_json()
    assert {e["event"] for e in topic["events"]} == {
        movement.online,
        movement.lagos,
        movement.ended,
    }

    table = client.get(f"/events.csv?campaign={movement.child}")
    rows = list(csv.DictReader(io.StringIO(table.text)))
    assert [(r["event"], r["country"], r["language"]) for r in rows] == [
        (movement.lagos, "NG", "yo")
    ]


def test_events_page_lists_by_month_with_a_filter_form_and_a_map(client, movement):
    page = client.get(f"/events?campaign={movement.parent}")
    assert page.status_code == 200
    html = page.text
    assert '<form method="get" action="/events"' in html
    assert f'<option value="{movement.parent}" selected>' in html
    assert html.count('class="calendar-event"') == 2
    assert html.index("Online") < html.index(f"Lagos {movement.id}")  # calendar order
    later = datetime.fromisoformat(movement.later_day).replace(tzinfo=UTC)
    assert f"{later:%B} {later:%Y}" in html  # a month heading
    assert 'id="map"' in html and "events.geojson?campaign=" in html
    assert "/embed/events?campaign=" in html  # the code for an affiliate's website
    assert "Yoruba" in html or "Yorùbá" in html  # language names, not codes


def test_embed_can_be_framed_sets_no_cookie_and_is_light(client, movement):
    answer = client.get(f"/embed/events?campaign={movement.parent}&limit=5")
    assert answer.status_code == 200
    policy = answer.headers["Content-Security-Policy"]
    assert "frame-ancestors *" in policy and "script-src" not in policy
    assert "X-Frame-Options" not in answer.headers
    assert "Set-Cookie" not in answer.headers
    assert "<script" not in answer.text and "<link" not in answer.text
    assert len(answer.data) < 8_000
    assert answer.text.count('class="calendar-event"') == 2
    # Every other page still refuses to be framed.
    other = client.get("/events")
    assert other.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in other.headers["Content-Security-Policy"]


def test_openapi_describes_the_calendar_feeds(client):
    document = client.get("/api/openapi.json").get_json()
    for path in ("/events.json", "/events.geojson", "/events.csv", "/events.ics"):
        operation = document["paths"][path]["get"]
        names = {p["name"] for p in operation["parameters"]}
        assert names == {"topic", "country", "format", "language", "wiki", "campaign"} | {
            "from",
            "to",
            "limit",
        }
