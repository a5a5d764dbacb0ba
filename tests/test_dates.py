"""Dates as organizers type them, read through the model as the bot and the webservice read them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from campaignkit.dates import DateError, month_names, parse_day, parse_moment
from campaignkit.manifest import load_manifest
from campaignkit.model import read_event, write_model

WIKIS = {"metawiki", "yowiki"}
YORUBA = load_manifest("yowiki", "yo")
ENGLISH = load_manifest("metawiki", "en")


def event_page(start: str, end: str, timezone: str = "Africa/Lagos") -> str:
    return (
        "{{Campaign event|campaign=C|name=Lagos|start="
        + start
        + "|end="
        + end
        + "|timezone="
        + timezone
        + "|format=online|wiki=yowiki}}\nText."
    )


@pytest.mark.parametrize(
    ("text", "lang", "expected", "has_time"),
    [
        ("2027-03-01", "en", datetime(2027, 3, 1), False),
        ("2027-3-1 9:05", "en", datetime(2027, 3, 1, 9, 5), True),
        ("2027-03-01T10:00", "en", datetime(2027, 3, 1, 10), True),
        ("1 March 2027", "en", datetime(2027, 3, 1), False),
        ("March 1, 2027", "en", datetime(2027, 3, 1), False),
        ("march 1 2027 at 10am", "en", datetime(2027, 3, 1, 10), True),
        ("1. Sept 2027", "en", datetime(2027, 9, 1), False),
        ("1 Oṣù Ẹrẹ̀nà 2027", "yo", datetime(2027, 3, 1), False),
        ("1 Ẹrẹ̀nà 2027 14:30", "yo", datetime(2027, 3, 1, 14, 30), True),
        ("1 OSU ERENA 2027", "yo", datetime(2027, 3, 1), False),  # typed without tone marks
        ("Ẹrẹ̀nà 1, 2027", "yo", datetime(2027, 3, 1), False),
        ("1 March 2027", "yo", datetime(2027, 3, 1), False),  # English works on every wiki
    ],
)
def test_accepted_forms(text, lang, expected, has_time):
    moment = parse_moment(text, lang)
    assert (moment.value, moment.has_time) == (expected, has_time)


def test_yoruba_month_names_come_from_cldr_and_only_where_the_wiki_is_yoruba():
    names = month_names("yo")
    assert (names["osu sere"], names["erena"], names["ope"]) == (1, 3, 12)
    assert parse_moment("15 Ọ̀pẹ̀ 2027", "yo").value == datetime(2027, 12, 15)
    with pytest.raises(DateError, match="is not a date and time"):
        parse_moment("1 Ẹrẹ̀nà 2027", "en")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("01/03/2027", "day and month in numbers are read differently"),
        ("2027-03-01T10:00Z", "put the time zone in the timezone field"),
        ("2027-03-01 10:00 GMT", "put the time zone in the timezone field"),
        ("next Monday", "is not a date and time"),
        ("31 April 2027", "day is out of range for month"),
        ("1 March 2027 13:00 pm", "13 is not an hour of a 12-hour clock"),
    ],
)
def test_refused_forms_say_what_to_write(text, message):
    with pytest.raises(DateError, match=message):
        parse_moment(text, "en")


def test_a_day_field_takes_no_time():
    assert str(parse_day("15 April 2027")) == "2027-04-15"
    with pytest.raises(DateError, match="has a time"):
        parse_day("2027-04-15 10:00")


def test_an_all_day_event_runs_from_00_00_to_23_59_in_its_time_zone():
    reading = read_event(
        event_page("2027-03-01", "2027-03-02"),
        title="E",
        wiki="yowiki",
        manifest=YORUBA,
        wiki_ids=WIKIS,
    )
    event = reading.model
    assert event is not None, reading.errors
    assert (event.start, event.end) == (datetime(2027, 3, 1, 0, 0), datetime(2027, 3, 2, 23, 59))
    assert event.start_utc == datetime(2027, 2, 28, 23, 0, tzinfo=UTC)  # Lagos is UTC+1
    assert event.end_utc == datetime(2027, 3, 2, 22, 59, tzinfo=UTC)


def test_a_one_day_event_ends_the_same_day_and_month_names_use_the_wikis_language():
    reading = read_event(
        event_page("1 Ẹrẹ̀nà 2027 10:00", "1 Oṣù Ẹrẹ̀nà 2027"),
        title="E",
        wiki="yowiki",
        manifest=YORUBA,
        wiki_ids=WIKIS,
    )
    assert reading.model is not None, reading.errors
    assert reading.model.end == datetime(2027, 3, 1, 23, 59)
    english = read_event(
        event_page("1 Ẹrẹ̀nà 2027 10:00", "2027-03-01"),
        title="E",
        wiki="metawiki",
        manifest=ENGLISH,
        wiki_ids=WIKIS,
    )
    assert english.model is None
    assert 'field "start": "1 Ẹrẹ̀nà 2027 10:00" is not a date and time' in str(english.errors[0])


def test_the_page_text_is_never_rewritten_when_the_date_means_the_same():
    text = event_page("1 March 2027", "March 1, 2027")
    event = read_event(text, title="E", wiki="yowiki", manifest=YORUBA, wiki_ids=WIKIS).model
    assert event is not None
    assert write_model(text, event, YORUBA) == text


def test_an_invalid_time_zone_leaves_no_event_but_keeps_what_could_be_read():
    reading = read_event(
        event_page("2027-03-01 10:00", "2027-03-01 16:00", timezone="WAT"),
        title="E",
        wiki="yowiki",
        manifest=YORUBA,
        wiki_ids=WIKIS,
    )
    assert reading.model is None  # never shown as if it were UTC
    assert reading.values["campaign"] == "C" and reading.values["name"] == "Lagos"
    assert "timezone" not in reading.values
    (problem,) = reading.problems
    assert str(problem).startswith('Event page "E" on yowiki, template {{Campaign event}}, ')
    assert 'field "timezone": "WAT" is an abbreviation' in str(problem)
    assert "Africa/Lagos" in str(problem)
