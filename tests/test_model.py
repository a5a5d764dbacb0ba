"""Typed models read from pages: validation per kind, errors as values, one-line diffs."""

from __future__ import annotations

import dataclasses
import difflib
from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campaignkit.contract import CAMPAIGN_EVENT, WORKLIST, FieldSpec, Kind
from campaignkit.manifest import english_manifest, load_manifest
from campaignkit.model import (
    Campaign,
    CampaignEvent,
    InvalidPage,
    PageRef,
    WorklistSource,
    changed_params,
    read_campaign,
    read_campaign_strict,
    read_event,
    read_event_strict,
    read_worklist_source,
    read_worklist_source_strict,
    render_model,
    write_model,
)
from campaignkit.validation import (
    COUNTRY_CODES,
    Coordinates,
    FieldError,
    InvalidValue,
    default_value,
    format_value,
    parse_value,
)
from campaignkit.wikitext.templates import TemplateNotFound

ENGLISH = english_manifest()
WIKIS = {"metawiki", "yowiki"}

HAND_WRITTEN = """'''Lagos edit-a-thon''' is part of [[m:WikiForHumanRights 2027]].
{{campaign_event <!-- filled in by hand -->
|campaign=m:WikiForHumanRights 2027
| name =  Lagos edit-a-thon   <!-- keep it short -->
|start  = 2027-04-20 10:00
| end=2027-04-20  16:00
| timezone = africa/lagos
|format= Hybrid
| location =
| wiki = yowiki
|organizers = ada organizer,Bola_Participant
| coordinates = 6.5095,3.3711
| strat = typo
| name = Lagos edit-a-thon (2027)
| description = Bring a laptop.
  Lunch is provided &amp; free.
}}

== Sign up ==
* {{Participant|Bola Participant}}
* ~~~~
"""


def read(text: str = HAND_WRITTEN, **extra):
    arguments = {
        "title": "Lagos 2027",
        "wiki": "yowiki",
        "manifest": ENGLISH,
        "wiki_ids": WIKIS,
        "hub_id": "metawiki",
    }
    arguments.update(extra)
    return read_event(text, **arguments)


def changed_lines(before: str, after: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


# --- reading a hand-written page ---------------------------------------------------


def test_reads_a_hand_written_event_page():
    reading = read()
    event = reading.model
    assert event == CampaignEvent(
        page=PageRef("yowiki", "Lagos 2027"),
        campaign="WikiForHumanRights 2027",
        name="Lagos edit-a-thon (2027)",
        start=datetime(2027, 4, 20, 10, 0),
        end=datetime(2027, 4, 20, 16, 0),
        format="hybrid",
        wiki="yowiki",
        timezone="Africa/Lagos",
        coordinates=Coordinates(6.5095, 3.3711),
        organizers=("Ada organizer", "Bola Participant"),
        description="Bring a laptop.\n  Lunch is provided & free.",
    )
    assert [str(e) for e in reading.warnings] == [
        'Event page "Lagos 2027" on yowiki, template {{Campaign event}}, field "name": '
        "warning: is given more than once; the last one counts",
        'Event page "Lagos 2027" on yowiki, template {{Campaign event}}, field "strat": '
        "warning: is not a parameter of this template; did you mean start?",
    ]
    assert reading.problems == ()
    assert reading.strict() is event


def test_event_times_in_utc():
    event = read().model
    assert event.start_utc == datetime(2027, 4, 20, 9, 0, tzinfo=UTC)
    assert event.end_utc == datetime(2027, 4, 20, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("field", "value", "line"),
    [
        ("name", "Lagos | Ibadan", "| name = Lagos &#124; Ibadan"),
        ("start", datetime(2027, 4, 20, 9, 30), "|start  = 2027-04-20 09:30"),
        ("location", "Yaba Library, Lagos", "| location = Yaba Library, Lagos"),
        ("organizers", ("Ada organizer",), "|organizers = Ada organizer"),
        ("coordinates", Coordinates(6.5, -3.25), "| coordinates = 6.5, -3.25"),
        ("signup", "closed", "| signup = closed"),
    ],
)
def test_changing_one_field_is_a_one_line_diff(field, value, line):
    event = read().model
    after = write_model(HAND_WRITTEN, dataclasses.replace(event, **{field: value}), ENGLISH)
    changed = changed_lines(HAND_WRITTEN, after)
    assert [c for c in changed if c.startswith("+")] == ["+" + line]
    assert len(changed) <= 2
    assert getattr(read(after).model, field) == value


def test_changing_the_description_rewrites_only_its_lines():
    event = read().model
    after = write_model(
        HAND_WRITTEN, dataclasses.replace(event, description="One\n\n* Two"), ENGLISH
    )
    assert changed_lines(HAND_WRITTEN, after) == [
        "-| description = Bring a laptop.",
        "-  Lunch is provided &amp; free.",
        "+| description = One",
        "+&#10;&#42; Two",
    ]
    assert read(after).model.description == "One\n\n* Two"


def test_writing_the_unchanged_model_changes_nothing():
    event = read().model
    assert changed_params(HAND_WRITTEN, event, ENGLISH) == {}
    assert write_model(HAND_WRITTEN, event, ENGLISH) == HAND_WRITTEN


def test_writing_to_a_page_without_the_template_is_an_error():
    with pytest.raises(TemplateNotFound):
        write_model("no template", read().model, ENGLISH)


def test_rendered_model_reads_back_equal():
    event = dataclasses.replace(
        read().model, location="x}}{{Evil|1=2", description="a\n\nb ~~~~", country="NG"
    )
    text = render_model(event, ENGLISH)
    assert text.startswith("{{Campaign event\n| campaign = WikiForHumanRights 2027\n")
    assert "| location = x&#125;&#125;" in text
    again = read(text)
    assert again.errors == ()
    assert again.model == event


# --- errors ------------------------------------------------------------------------


def test_every_bad_field_is_reported_and_a_bad_required_field_leaves_no_model():
    page = (
        HAND_WRITTEN.replace("2027-04-20 10:00", "2027-13-01")
        .replace("6.5095,3.3711", "96, 3")
        .replace("| wiki = yowiki", "| wiki = xxwiki")
        .replace("Hybrid", "sometimes")
    )
    reading = read(page)
    assert reading.model is None
    messages = [str(e) for e in reading.problems]
    prefix = 'Event page "Lagos 2027" on yowiki, template {{Campaign event}}, '
    assert messages == [
        prefix + 'field "start": "2027-13-01" is not a valid date: month must be in 1..12',
        prefix + 'field "format": "sometimes" is not one of: online, in-person, hybrid',
        prefix + 'field "coordinates": latitude 96 is not between -90 and 90',
        prefix + 'field "wiki": "xxwiki" is not a configured wiki (configured: metawiki, yowiki)',
    ]
    with pytest.raises(InvalidPage) as caught:
        reading.strict()
    assert str(caught.value) == "\n".join(messages)
    assert caught.value.errors == reading.problems


def test_a_bad_optional_field_keeps_the_event_with_the_default():
    reading = read(HAND_WRITTEN.replace("6.5095,3.3711", "here"))
    assert reading.model is not None
    assert reading.model.coordinates is None
    assert [e.canonical for e in reading.problems] == ["coordinates"]
    with pytest.raises(InvalidPage, match="is not coordinates"):
        reading.strict()


def test_missing_required_fields():
    reading = read("{{Campaign event|name=A}}")
    assert reading.model is None
    missing = [e.field for e in reading.problems]
    assert missing == ["campaign", "start", "end", "format", "wiki"]
    assert all(e.message == "is required but empty or missing" for e in reading.problems)


def test_end_before_start():
    reading = read(HAND_WRITTEN.replace("2027-04-20  16:00", "2027-04-19 16:00"))
    assert reading.model is None
    assert [str(e) for e in reading.problems] == [
        'Event page "Lagos 2027" on yowiki, template {{Campaign event}}, field "end": '
        '"2027-04-19 16:00" is before the start (2027-04-20 10:00)'
    ]


@pytest.mark.parametrize(
    ("page", "problem"),
    [
        ("no template here", "is not on the page"),
        ("{{Campaign event|name=a}}{{Campaign event|name=b}}", "is on the page 2 times"),
    ],
)
def test_page_level_errors(page, problem):
    reading = read(page)
    assert reading.model is None
    (error,) = reading.errors
    assert error.field == ""
    assert str(
        error
    ) == f'Event page "Lagos 2027" on yowiki, template {{{{Campaign event}}}}: {problem}' + (
        "; keep one (or wrap examples in <nowiki>)" if "2 times" in problem else ""
    )


def test_localized_names_in_messages(tmp_path):
    (tmp_path / "yowiki.toml").write_text(
        '[templates.campaign_event]\nname = "Ìṣẹ̀lẹ̀ ìpolongo"\n'
        '[templates.campaign_event.params]\nstart = ["ìbẹ̀rẹ̀"]\n',
        encoding="utf-8",
    )
    manifest = load_manifest("yowiki", "yo", tmp_path)
    page = HAND_WRITTEN.replace("campaign_event", "Ìṣẹ̀lẹ̀ ìpolongo").replace(
        "|start  = 2027-04-20 10:00", "| ìbẹ̀rẹ̀ = tomorrow"
    )
    reading = read(page, manifest=manifest)
    assert str(reading.problems[0]) == (
        'Event page "Lagos 2027" on yowiki, template {{Ìṣẹ̀lẹ̀ ìpolongo}}, '
        'field "ìbẹ̀rẹ̀" (start): "tomorrow" is not a date and time (YYYY-MM-DD HH:MM, '
        "YYYY-MM-DD for a whole day, or 1 March 2027 10:00)"
    )


def test_strict_readers_raise_or_return():
    assert read_event_strict(
        HAND_WRITTEN, title="L", wiki="yowiki", manifest=ENGLISH, wiki_ids=WIKIS
    ).name == ("Lagos edit-a-thon (2027)")
    with pytest.raises(InvalidPage, match="is not on the page"):
        read_event_strict("x", title="L", wiki="yowiki", manifest=ENGLISH, wiki_ids=WIKIS)


# --- the campaign title and its hub prefix -----------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "WikiForHumanRights 2027",
        "m:WikiForHumanRights 2027",
        "meta:WikiForHumanRights_2027",
        "Meta : WikiForHumanRights 2027",
        "[[m:WikiForHumanRights 2027|the campaign]]",
    ],
)
def test_campaign_title_with_or_without_hub_prefix(value):
    page = HAND_WRITTEN.replace("campaign=m:WikiForHumanRights 2027", f"campaign={value}")
    assert read(page).model.campaign == "WikiForHumanRights 2027"


def test_on_the_hub_a_meta_prefix_is_a_namespace():
    page = HAND_WRITTEN.replace("campaign=m:WikiForHumanRights 2027", "campaign=Meta:C/Lagos")
    assert read(page, wiki="metawiki").model.campaign == "Meta:C/Lagos"
    assert read(page, wiki="yowiki").model.campaign == "C/Lagos"


def test_a_bare_prefix_is_not_a_campaign():
    reading = read(HAND_WRITTEN.replace("campaign=m:WikiForHumanRights 2027", "campaign=m:"))
    assert "has only a wiki prefix" in str(reading.problems[0])


# --- campaigns and worklists -------------------------------------------------------


def test_reads_a_campaign():
    page = """{{Campaign
| name = WikiForHumanRights 2027
| start = 2027-04-15
| end = 2027-05-15
| organizers = Ada Organizer, Bola
}}"""
    campaign = read_campaign_strict(
        page, title="WikiForHumanRights 2027", wiki="metawiki", manifest=ENGLISH
    )
    assert campaign == Campaign(
        page=PageRef("metawiki", "WikiForHumanRights 2027"),
        name="WikiForHumanRights 2027",
        start=date(2027, 4, 15),
        end=date(2027, 5, 15),
        organizers=("Ada Organizer", "Bola"),
    )
    bad = read_campaign(
        page.replace("2027-05-15", "2027-04-01"), title="C", wiki="metawiki", manifest=ENGLISH
    )
    assert bad.model is None
    assert bad.problems[0].page_kind == "Campaign page"
    assert "is before the start (2027-04-15)" in str(bad.problems[0])
    changed = write_model(page, dataclasses.replace(campaign, topic="Climate"), ENGLISH)
    assert changed_lines(page, changed) == ["+| topic = Climate"]


def test_reads_worklist_sources():
    page = "{{Worklist\n| wiki = yowiki\n| titles = * Lagos\n* Ibadan\n\nLagos\n| limit = 50\n}}"
    source = read_worklist_source_strict(
        page, title="W", wiki="yowiki", manifest=ENGLISH, wiki_ids=WIKIS
    )
    assert source == WorklistSource(
        page=PageRef("yowiki", "W"), wiki="yowiki", titles=("Lagos", "Ibadan"), limit=50
    )
    assert source.kind == "titles"
    gap = read_worklist_source_strict(
        "{{Worklist|wiki=yowiki|source_wiki=metawiki|category=Climate change|depth=2}}",
        title="W",
        wiki="yowiki",
        manifest=ENGLISH,
        wiki_ids=WIKIS,
    )
    assert (gap.kind, gap.category, gap.depth, gap.sort) == (
        "category-gap",
        "Climate change",
        2,
        "title",
    )


@pytest.mark.parametrize(
    ("page", "problem"),
    [
        (
            "{{Worklist|wiki=yowiki}}",
            "give exactly one source of pages (titles, category, links_from); found none",
        ),
        ("{{Worklist|wiki=yowiki|titles=A|category=B}}", "found titles and category"),
        ("{{Worklist|wiki=yowiki|category=B|source_wiki=yowiki}}", "is the same wiki as wiki"),
        ("{{Worklist|wiki=yowiki|category=B|depth=-1}}", '"-1" is not a whole number'),
        ("{{Worklist|wiki=yowiki|titles=A\nB|C}}", 'line 2: "B|C" cannot be a page title'),
    ],
)
def test_worklist_errors(page, problem):
    page = page.replace("B|C", "B&#124;C")
    reading = read_worklist_source(page, title="W", wiki="yowiki", manifest=ENGLISH, wiki_ids=WIKIS)
    assert any(problem in str(e) for e in reading.problems), reading.problems
    assert reading.problems[0].page_kind == "Worklist page"


# --- validation per kind ----------------------------------------------------------


def spec(kind: Kind, **extra) -> FieldSpec:
    return FieldSpec("f", kind, "F", "", **extra)


@pytest.mark.parametrize(
    ("kind", "text", "value"),
    [
        (Kind.TEXT, "  Lagos  edit-a-thon ", "Lagos  edit-a-thon"),
        (Kind.TEXT, "two\n  lines", "two lines"),
        (Kind.TEXT, "Cafe\u0301", "Café"),
        (Kind.MULTILINE, "a\r\n\r\nb", "a\n\nb"),
        (Kind.DATE, "2027-02-28", date(2027, 2, 28)),
        (Kind.DATETIME, "2027-02-28 9:05", datetime(2027, 2, 28, 9, 5)),
        (Kind.DATETIME, "2027-02-28T23:59", datetime(2027, 2, 28, 23, 59)),
        (Kind.DATETIME, "2027-02-28T23:59:00", datetime(2027, 2, 28, 23, 59)),
        (Kind.DATETIME, "2027-03-01", datetime(2027, 3, 1, 0, 0)),
        (Kind.DATETIME, "1 March 2027", datetime(2027, 3, 1, 0, 0)),
        (Kind.DATETIME, "March 1, 2027 4:30 pm", datetime(2027, 3, 1, 16, 30)),
        (Kind.DATETIME, "1st Mar. 2027, 10:00", datetime(2027, 3, 1, 10, 0)),
        (Kind.DATE, "15 April 2027", date(2027, 4, 15)),
        (Kind.TIMEZONE, "africa/lagos", "Africa/Lagos"),
        (Kind.TIMEZONE, "America/Sao Paulo", "America/Sao_Paulo"),
        (Kind.TIMEZONE, "UTC", "UTC"),
        (Kind.COORDINATES, "-33.9, 18.42", Coordinates(-33.9, 18.42)),
        (Kind.COORDINATES, "90 -180", Coordinates(90.0, -180.0)),
        (Kind.COORDINATES, "+6.5;3", Coordinates(6.5, 3.0)),
        (Kind.WIKI, "YoWiki", "yowiki"),
        (Kind.TITLE, "Climate_change", "Climate change"),
        (Kind.TITLE, "[[Category:Climate change|x]]", "Category:Climate change"),
        (Kind.TITLE, ":Category:X", "Category:X"),
        (Kind.TITLES, "A\n\n* B\n# A\nC_d", ("A", "B", "C d")),
        (Kind.USER, "bola_participant", "Bola participant"),
        (Kind.USER, "User:Ada", "Ada"),
        (Kind.USER, "[[User:Ada|Ada]]", "Ada"),
        (Kind.USER, "ßtraße", "ßtraße"),
        (Kind.USERS, "Ada, bola,Ada،Ìyá", ("Ada", "Bola", "Ìyá")),
        (Kind.URL, "https://meet.example.org/x?a=1", "https://meet.example.org/x?a=1"),
        (Kind.URL, "HTTP://Example.org", "HTTP://Example.org"),
        (Kind.INTEGER, "042", 42),
        (Kind.BOOLEAN, "Yes", True),
        (Kind.BOOLEAN, "no", False),
        (Kind.LANGUAGE, "zh_Hans", "zh-hans"),
        (Kind.LANGUAGE, "yo", "yo"),
        (Kind.COUNTRY, "ng", "NG"),
        (Kind.COUNTRY, "XK", "XK"),
    ],
)
def test_valid_values(kind, text, value):
    assert parse_value(spec(kind), text, wiki_ids=WIKIS) == value


@pytest.mark.parametrize(
    ("kind", "text", "message"),
    [
        (Kind.TEXT, "a\x00b", "U+0000"),
        (Kind.TEXT, "x" * 1001, "is 1001 characters long; at most 1000 fit"),
        (Kind.DATE, "2027-13-01", '"2027-13-01" is not a valid date: month must be in 1..12'),
        (Kind.DATE, "20/04/2027", "day and month in numbers are read differently"),
        (Kind.DATE, "tomorrow", "is not a date (YYYY-MM-DD or 1 March 2027)"),
        (Kind.DATE, "2027-04-20 10:00", "has a time; give the day only"),
        (Kind.DATETIME, "2027-04-20T10:00Z", "has a UTC offset or zone; write the local time"),
        (Kind.DATETIME, "2027-04-20 10:00+01:00", "put the time zone in the timezone field"),
        (Kind.DATETIME, "2027-04-20 24:00", "24:00 is not a time of day"),
        (Kind.DATETIME, "2027-04-20 10:00:30", "to the minute (HH:MM), without seconds"),
        (Kind.DATETIME, "2027-04-20 10", "is not a date and time"),
        (Kind.DATETIME, "20 April 2027 10", "write the time as HH:MM"),
        (Kind.DATETIME, "2027-02-30 10:00", "day is out of range for month"),
        (Kind.DATETIME, "1 Smarch 2027", "is not a date and time"),
        (Kind.TIMEZONE, "Lagos", '"Lagos" is not an IANA time zone; did you mean Africa/Lagos?'),
        (Kind.TIMEZONE, "WAT", '"WAT" is an abbreviation, not an IANA time zone; it is used by'),
        (Kind.TIMEZONE, "UTC+1", "is a UTC offset, not an IANA time zone"),
        (Kind.TIMEZONE, "localtime", "is not an IANA time zone"),
        (Kind.COORDINATES, "6.5", "is not coordinates"),
        (Kind.COORDINATES, "6,5, 3,3", "is not coordinates"),
        (Kind.COORDINATES, "-90.5, 0", "latitude -90.5 is not between -90 and 90"),
        (Kind.COORDINATES, "0, 180.01", "longitude 180.01 is not between -180 and 180"),
        (Kind.COORDINATES, "nan, inf", "is not coordinates"),
        (Kind.WIKI, "enwiki", '"enwiki" is not a configured wiki (configured: metawiki, yowiki)'),
        (Kind.TITLE, "A#b", "cannot be a page title: it contains '#'"),
        (Kind.TITLE, "A{{b}}", "cannot be a page title"),
        (Kind.TITLE, "A~~~~", "~~~"),
        (Kind.TITLE, "A%20B", "%-encoding"),
        (Kind.TITLE, "../x", "relative path"),
        (Kind.TITLE, "é" * 128, "longer than 255 bytes"),
        (Kind.USER, "Ada/sub", "is not a username: it contains '/'"),
        (Kind.USER, "a@b", "it contains '@'"),
        (Kind.USER, "Ada:x", "it contains ':'"),
        (Kind.USER, "Ada#1", "it contains '#'"),
        (Kind.USER, "192.0.2.1", "is an IP address, not an account"),
        (Kind.USER, "2001:db8::1", "it contains ':'"),
        (Kind.USER, "ẹ" * 86, "longer than 255 bytes"),
        (Kind.USERS, "Ada, B|c", "it contains '|'"),
        (Kind.URL, "javascript:alert(1)", "is not an http:// or https:// URL"),
        (Kind.URL, "https://", "is not an http:// or https:// URL"),
        (Kind.URL, "meet.example.org", "is not an http:// or https:// URL"),
        (Kind.URL, "https://a b", "it contains a space"),
        (Kind.INTEGER, "-1", "is not a whole number"),
        (Kind.INTEGER, "1.5", "is not a whole number"),
        (Kind.INTEGER, "1e3", "is not a whole number"),
        (Kind.BOOLEAN, "maybe", "is not yes or no"),
        (Kind.LANGUAGE, "Yoruba", "is not a language code"),
        (Kind.LANGUAGE, "y", "is not a language code"),
        (Kind.COUNTRY, "Nigeria", "is not an ISO 3166-1 country code"),
        (Kind.COUNTRY, "UK", "is not an ISO 3166-1 country code"),
    ],
)
def test_invalid_values_say_what_is_wrong(kind, text, message):
    with pytest.raises(InvalidValue) as caught:
        parse_value(spec(kind), text, wiki_ids=WIKIS)
    assert message in str(caught.value)


def test_choices_are_case_insensitive_and_listed_on_error():
    choice = CAMPAIGN_EVENT.field("format")
    assert parse_value(choice, "In-Person") == "in-person"
    with pytest.raises(InvalidValue, match="is not one of: online, in-person, hybrid"):
        parse_value(choice, "remote")


def test_wiki_membership_can_be_skipped_but_not_the_shape():
    assert parse_value(spec(Kind.WIKI), "enwiki", wiki_ids=None) == "enwiki"
    with pytest.raises(InvalidValue):
        parse_value(spec(Kind.WIKI), "en wiki", wiki_ids=None)


def test_empty_values_and_defaults():
    assert parse_value(spec(Kind.DATE), "   ") is None
    assert default_value(CAMPAIGN_EVENT.field("timezone")) == "UTC"
    assert default_value(WORKLIST.field("depth")) == 0
    assert default_value(WORKLIST.field("titles")) == ()
    assert default_value(CAMPAIGN_EVENT.field("coordinates")) is None


def test_country_list_is_complete():
    assert len(COUNTRY_CODES) == 250  # 249 assigned codes and XK


def test_field_error_without_field():
    error = FieldError("P", "yowiki", "Worklist", "", "give one source", page_kind="Worklist page")
    assert str(error) == 'Worklist page "P" on yowiki, template {{Worklist}}: give one source'


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (Kind.DATE, date(2027, 1, 2)),
        (Kind.DATETIME, datetime(2027, 1, 2, 3, 4)),
        (Kind.BOOLEAN, False),
        (Kind.USERS, ("Ada", "Bola")),
        (Kind.TITLES, ("A", "B c")),
        (Kind.COORDINATES, Coordinates(1e-05, -0.0)),
        (Kind.INTEGER, 0),
    ],
)
def test_format_value_reads_back_equal(kind, value):
    text = format_value(spec(kind), value)
    assert "e-" not in text
    assert parse_value(spec(kind), text) == value


@settings(max_examples=200, deadline=None)
@given(
    st.floats(min_value=-90, max_value=90, allow_nan=False),
    st.floats(min_value=-180, max_value=180, allow_nan=False),
)
def test_property_coordinates_read_back_exactly(latitude, longitude):
    value = Coordinates(latitude, longitude)
    assert parse_value(spec(Kind.COORDINATES), str(value)) == value
