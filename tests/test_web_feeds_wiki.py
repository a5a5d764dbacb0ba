"""The feeds of a synced campaign on the real local wikis (issue 14): .ics and CSV."""

from __future__ import annotations

import codecs
import csv
import io
from urllib.parse import quote

import pytest
from icalendar import Calendar

from tests.test_browser_accessibility import FULL_EVENT, campaign_with_event  # noqa: F401

pytestmark = pytest.mark.wiki
pytest_plugins = ("tests.web_support",)


def test_icalendar_event_has_geo_meeting_link_and_its_own_description(
    client,
    campaign_with_event,  # noqa: F811
):
    campaign, _event_title = campaign_with_event
    answer = client.get(f"/campaign/{quote(campaign)}/events.ics")
    assert answer.status_code == 200 and answer.mimetype == "text/calendar"
    [event] = Calendar.from_ical(answer.data).walk("VEVENT")
    assert event.decoded("geo") == (6.5095, -3.3711)
    assert str(event["conference"]) == FULL_EVENT["meeting_link"]
    assert event["conference"].params["FEATURE"] == "VIDEO"
    assert str(event["location"]) == FULL_EVENT["location"]
    description = str(event["description"])
    assert description.startswith(FULL_EVENT["description"])  # line breaks kept
    assert FULL_EVENT["meeting_link"] in description and campaign in description
    assert str(event["summary"]) == FULL_EVENT["name"]


def test_csv_starts_with_a_byte_order_mark_so_spreadsheets_read_utf8(
    client,
    campaign_with_event,  # noqa: F811
):
    campaign, event_title = campaign_with_event
    answer = client.get(f"/campaign/{quote(campaign)}/events.csv")
    assert answer.data.startswith(codecs.BOM_UTF8)
    assert answer.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(answer.data.decode("utf-8-sig"))))
    assert rows[0]["name"] == FULL_EVENT["name"]  # Ìpàdé Èkó, intact
    assert rows[0]["event"] == event_title
