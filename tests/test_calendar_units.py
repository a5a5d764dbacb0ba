"""The calendar's rules without a wiki: the document, its comparison, the filters, config."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.calendar.page import CalendarPage, without_as_of
from campaignkit.campaign_tree import build_tree
from campaignkit.codecs import calendar_data
from campaignkit.codecs.calendar_data import CampaignInfo
from campaignkit.config import ConfigError, parse_settings

NOW = datetime(2027, 4, 1, 12, 0, tzinfo=UTC)


def row(event: str, start: str, end: str, **values: str) -> dict[str, str]:
    return {"event": event, "wiki": "metawiki", "name": event, "start": start, "end": end} | values


def document(rows: list[tuple[str, dict[str, str]]], now: datetime = NOW) -> dict:
    infos = {
        "G": CampaignInfo("G", "Global", ("Climate", "Water"), ""),
        "NG": CampaignInfo("NG", "Nigeria", (), "G"),
        "Other": CampaignInfo("Other", "Other", ("Libraries",), ""),
    }
    tree = build_tree({t: i.parent for t, i in infos.items()})
    events = []
    for campaign, values in rows:
        item = calendar_data.calendar_event(values, now)
        assert item is not None
        events.append(item | {"campaign": campaign})
    section = calendar_data.campaigns_section(infos, tree, [e["campaign"] for e in events])
    return calendar_data.build_document("Campaign events", events, section, {}, now)


ROWS = [
    ("NG", row("Lagos", "2027-04-20 10:00", "2027-04-20 16:00", timezone="Africa/Lagos",
               country="NG", language="yo", format="in-person")),
    ("G", row("Online", "2027-04-10 18:00", "2027-04-10 20:00", format="online")),
    ("Other", row("Past", "2027-03-01 10:00", "2027-03-01 12:00", format="hybrid")),
    ("G", row("Late night", "2027-03-31 23:00", "2027-04-01 02:00", timezone="Asia/Tokyo")),
]  # fmt: skip


def test_document_is_sorted_in_utc_with_statuses_and_inherited_topics():
    doc = document(ROWS)
    data = calendar_data.read_document(calendar_data.dumps(doc))
    assert [e["event"] for e in data.events] == ["Past", "Late night", "Online", "Lagos"]
    by_name = {e["event"]: e for e in data.events}
    assert by_name["Lagos"]["start_utc"] == "2027-04-20 09:00"  # Lagos is UTC+1
    assert by_name["Late night"]["status"] == "ended"  # 02:00 in Tokyo is 17:00 UTC
    assert by_name["Online"]["status"] == "upcoming"
    assert data.campaigns["NG"] == {
        "name": "Nigeria",
        "parent": "G",
        "ancestors": ["G"],
        "topics": ["Climate", "Water"],
    }


def test_comparable_ignores_only_the_as_of_time_and_stored_numbers():
    first = document(ROWS)
    later = document(ROWS, NOW + timedelta(minutes=5))
    assert calendar_data.comparable(first) == calendar_data.comparable(later)
    stored = json.loads(calendar_data.dumps(first))
    stored["events"][0][calendar_data.COLUMNS.index("participants")] = 0.0  # as 3.0 -> 3
    assert calendar_data.comparable(json.dumps(stored)) == calendar_data.comparable(first)
    moved = document(ROWS, NOW + timedelta(days=20))  # Online has ended by then
    assert calendar_data.comparable(moved) != calendar_data.comparable(first)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["Online", "Lagos"]),
        ({"from": "2027-03-01"}, ["Past", "Late night", "Online", "Lagos"]),
        ({"from": "2027-03-01", "to": "2027-03-31"}, ["Past", "Late night"]),
        ({"campaign": "G"}, ["Online", "Lagos"]),
        ({"campaign": "nG"}, ["Lagos"]),  # the first letter's case is free, as on the wiki
        ({"campaign": "ng"}, []),
        ({"campaign": "NG"}, ["Lagos"]),
        ({"topic": "WATER"}, ["Online", "Lagos"]),
        ({"topic": "libraries", "from": "2000-01-01"}, ["Past"]),
        ({"country": "ng"}, ["Lagos"]),
        ({"format": "Online"}, ["Online"]),
        ({"language": "YO", "wiki": "METAWIKI"}, ["Lagos"]),
        ({"limit": "1"}, ["Online"]),
    ],
)
def test_filters(params, expected):
    data = calendar_data.read_document(calendar_data.dumps(document(ROWS)))
    filters, problems = calendar_data.parse_filters(params)
    assert not problems
    now = "2027-04-01 12:00"  # Late night ended at 02:00 in Tokyo, today: not listed by default
    assert [e["event"] for e in calendar_data.select(data, filters, now)] == expected


def test_bad_filter_values_are_named_and_left_out():
    filters, problems = calendar_data.parse_filters(
        {"from": "2027-02-30", "to": "20270401", "limit": "0", "format": "party"}
    )
    assert filters == calendar_data.Filters()
    assert [p.split(":")[0] for p in problems] == ["from", "to", "limit", "format"]
    assert calendar_data.parse_filters({"limit": "100000"})[0].limit == calendar_data.MAX_LIMIT


def test_calendar_page_escapes_values_and_keeps_as_of_apart(tmp_path):
    settings = parse_settings(
        {
            "hub": "metawiki",
            "wikis": {"metawiki": {"api": "https://meta.example/w/api.php", "lang": "en"}},
            "bot": {"username": "Bot@x"},
        },
        tmp_path / "c.toml",
    )
    hostile = row(
        "Hostile", "2027-04-10 18:00", "2027-04-10 20:00", format="online",
        location="[[Category:X]] {{subst:Y}} ~~~~ <ref>z</ref>",
    )  # fmt: skip
    data = calendar_data.read_document(calendar_data.dumps(document([("G", hostile)])))
    page = CalendarPage(settings)
    content = page.content(data, NOW)
    for fragment in ("[[Category:", "{{subst", "~~~~", "<ref>"):
        assert fragment not in content
    assert "=== April 2027 ===" in content
    assert "April 10, 2027, 18:00–20:00" in content  # CLDR's long date in English
    assert without_as_of(content) == page.body(data, NOW)


def test_calendar_page_setting(tmp_path):
    base = {
        "hub": "metawiki",
        "wikis": {"metawiki": {"api": "https://meta.example/w/api.php", "lang": "en"}},
        "bot": {"username": "Bot@x"},
    }
    assert parse_settings(base, tmp_path / "c.toml").calendar_page == "Campaign events"
    off = parse_settings(base | {"calendar_page": ""}, tmp_path / "c.toml")
    assert off.calendar_page == ""
    named = parse_settings(base | {"calendar_page": "Events_2027"}, tmp_path / "c.toml")
    assert named.calendar_page == "Events 2027"
    with pytest.raises(ConfigError, match="calendar_page"):
        parse_settings(base | {"calendar_page": "Events|x"}, tmp_path / "c.toml")
