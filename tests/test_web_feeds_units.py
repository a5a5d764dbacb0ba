"""Feeds without a wiki (issue 14): what an .ics event and the CSV carry."""

from __future__ import annotations

import codecs

from icalendar import Calendar

from tests.test_web_units import make_settings
from webservice.campaign_reads import CampaignDashboard
from webservice.event_details import EventDetails
from webservice.feeds import csv_export, icalendar_feed


def _dashboard(**row: object) -> CampaignDashboard:
    event = {
        "event": "Ìpàdé Èkó",
        "wiki": "metawiki",
        "name": "Ìpàdé Èkó",
        "start": "2027-04-20 10:00",
        "end": "2027-04-20 16:00",
        "timezone": "Africa/Lagos",
        "format": "hybrid",
        **row,
    }
    return CampaignDashboard("C", True, None, (), [event], {"events": 1}, "", {})


def test_an_online_event_has_its_link_as_location_and_conference(tmp_path):
    settings = make_settings(tmp_path)
    details = {("metawiki", "Ìpàdé Èkó"): EventDetails("Line one\nLine two", "https://m.example/x")}
    calendar = Calendar.from_ical(icalendar_feed(settings, _dashboard(format="online"), details))
    [event] = calendar.walk("VEVENT")
    assert str(event["location"]) == "https://m.example/x"
    assert str(event["conference"]) == "https://m.example/x"
    assert str(event["description"]).startswith("Line one\nLine two\nC — online")
    assert "geo" not in event


def test_geo_only_from_coordinates_that_read(tmp_path):
    settings = make_settings(tmp_path)
    good = Calendar.from_ical(icalendar_feed(settings, _dashboard(coordinates="6.5095, -3.3711")))
    assert good.walk("VEVENT")[0].decoded("geo") == (6.5095, -3.3711)
    bad = Calendar.from_ical(icalendar_feed(settings, _dashboard(coordinates="here")))
    assert "geo" not in bad.walk("VEVENT")[0]
    assert "description" in bad.walk("VEVENT")[0]  # without details: campaign, format, page


def test_csv_has_a_byte_order_mark():
    text = csv_export(_dashboard())
    assert text.startswith("\ufeff") and text.encode("utf-8").startswith(codecs.BOM_UTF8)
    assert "Ìpàdé Èkó" in text
