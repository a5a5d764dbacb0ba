"""Bot-owned regions: exact replacement, and refusal on any broken marker."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campaignkit.wikitext.regions import (
    RegionError,
    begin_marker,
    end_marker,
    find_region,
    find_regions,
    has_region,
    insert_region,
    region_content,
    render_region,
    replace_region,
    strip_regions,
)

PAGE = """Intro by a human.

== Participants ==
<!-- campaignkit:begin participants -->
{| class="wikitable"
| old row
|}
<!-- campaignkit:end participants -->

== Sign up ==
* ~~~~ a human signature
<!-- campaignkit:begin metrics -->
Metrics
<!-- campaignkit:end metrics -->
Outro."""


def test_marker_syntax():
    assert begin_marker("events") == "<!-- campaignkit:begin events -->"
    assert end_marker("events") == "<!-- campaignkit:end events -->"
    assert render_region("events", "x") == (
        "<!-- campaignkit:begin events -->\nx\n<!-- campaignkit:end events -->"
    )
    with pytest.raises(RegionError):
        render_region("bad id", "x")


def test_find_and_read_regions():
    assert set(find_regions(PAGE)) == {"participants", "metrics"}
    assert has_region(PAGE, "metrics")
    assert not has_region(PAGE, "events")
    assert find_region(PAGE, "events") is None
    assert region_content(PAGE, "participants") == '{| class="wikitable"\n| old row\n|}'
    with pytest.raises(RegionError, match='bot region "events": is not on the page'):
        region_content(PAGE, "events", page="Lagos 2027")


def test_replace_changes_only_the_region():
    after = replace_region(PAGE, "participants", "{|\n| new row\n|}", page="Lagos 2027")
    region = find_region(PAGE, "participants")
    new_region = find_region(after, "participants")
    assert after[: region.begin.end] == PAGE[: region.begin.end]
    assert after[new_region.end.start :] == PAGE[region.end.start :]
    assert region_content(after, "participants") == "{|\n| new row\n|}"
    assert region_content(after, "metrics") == "Metrics"


def test_replacing_with_the_same_content_is_a_no_op():
    assert replace_region(PAGE, "metrics", "Metrics") == PAGE
    assert replace_region(PAGE, "metrics", "") != PAGE
    assert region_content(replace_region(PAGE, "metrics", ""), "metrics") == ""


def test_markers_typed_by_hand_are_accepted():
    page = "a\n<!--campaignkit:BEGIN events-->\nx\n<!--   campaignkit:end events   -->\nb"
    assert region_content(page, "events") == "x"
    assert replace_region(page, "events", "y") == page.replace("\nx\n", "\ny\n")


def test_markers_that_mediawiki_does_not_see_do_not_count():
    page = (
        "<nowiki><!-- campaignkit:begin events --></nowiki>\n"
        "<pre><!-- campaignkit:end events --></pre>\n"
        "<!-- a note <!-- campaignkit:begin events -->\n"
    )
    assert find_regions(page) == {}


@pytest.mark.parametrize(
    ("page", "region", "problem"),
    [
        (
            "x\n<!-- campaignkit:begin events -->\ntable",
            "events",
            "begin marker on line 2 has no end marker",
        ),
        (
            "<!-- campaignkit:end events -->\n<!-- campaignkit:begin events -->",
            "events",
            "end marker on line 1 comes before the begin marker",
        ),
        ("<!-- campaignkit:end events -->", "events", "has no begin marker"),
        (
            "<!-- campaignkit:begin events -->\n<!-- campaignkit:begin events -->\n"
            "<!-- campaignkit:end events -->",
            "events",
            "begin marker repeated on line 2",
        ),
        (
            "<!-- campaignkit:begin events -->\n<!-- campaignkit:end events -->\n"
            "<!-- campaignkit:end events -->",
            "events",
            "end marker repeated on line 3",
        ),
        (
            "<!-- campaignkit:begin events -->\n<!-- campaignkit:end events -->\n"
            "<!-- campaignkit:begin events -->\n<!-- campaignkit:end events -->",
            "events",
            "appears a second time on line 3",
        ),
        (
            "<!-- campaignkit:begin events -->\n<!-- campaignkit:begin metrics -->\n"
            "<!-- campaignkit:end metrics -->\n<!-- campaignkit:end events -->",
            "metrics",
            'inside region "events"',
        ),
        (
            "<!-- campaignkit:begin events -->\n<!-- campaignkit:begin metrics -->\n"
            "<!-- campaignkit:end events -->\n<!-- campaignkit:end metrics -->",
            "metrics",
            "regions cannot nest",
        ),
        (
            "<!-- campaignkit:begin events -->\nx <!-- unclosed\n<!-- campaignkit:end events -->",
            "events",
            "has no end marker",
        ),
        ("<!-- campaignkit:bgein events -->", "campaignkit:bgein events", "malformed marker"),
        ("<!-- campaignkit:begin -->", "campaignkit:begin", "malformed marker"),
    ],
)
def test_broken_markers_are_errors_naming_page_and_region(page, region, problem):
    for action in (
        lambda: replace_region(page, "events", "new", page="Lagos 2027"),
        lambda: insert_region(page, "other", "new", page="Lagos 2027"),
        lambda: strip_regions(page, page="Lagos 2027"),
    ):
        with pytest.raises(RegionError) as caught:
            action()
        message = str(caught.value)
        assert message.startswith(f'Page "Lagos 2027", bot region "{region}": ')
        assert problem in message


def test_region_error_carries_page_and_region():
    with pytest.raises(RegionError) as caught:
        replace_region("no regions here", "events", "x", page="Lagos 2027")
    assert caught.value.page == "Lagos 2027"
    assert caught.value.region_id == "events"


@pytest.mark.parametrize(
    "content",
    [
        "<!-- campaignkit:end participants -->",
        "<!-- campaignkit:begin other -->",
        "x <!-- unclosed comment",
        "<nowiki>",  # harmless: an unclosed nowiki is text
    ],
)
def test_new_content_cannot_break_the_markers(content):
    if content == "<nowiki>":
        after = replace_region(PAGE, "participants", content)
        assert region_content(after, "participants") == content
        return
    with pytest.raises(RegionError, match="nothing was written"):
        replace_region(PAGE, "participants", content, page="Lagos 2027")


def test_content_that_would_hide_the_end_marker_is_refused():
    page = PAGE + "\n</pre>"
    with pytest.raises(RegionError, match="nothing was written"):
        replace_region(page, "metrics", "<pre>", page="Lagos 2027")


def test_insert_at_the_placeholder_keeps_it_and_the_text_around():
    page = "Top\n{{Campaign bot region|events}}\nBottom"
    after = insert_region(page, "events", "TABLE", page="Campaign")
    assert after == (
        "Top\n{{Campaign bot region|events}}\n"
        "<!-- campaignkit:begin events -->\nTABLE\n<!-- campaignkit:end events -->\nBottom"
    )


def test_insert_at_a_localized_placeholder_for_the_right_id():
    page = "A {{ìpolongo bot|metrics}} B\n{{Ìpolongo bot|events}}"
    after = insert_region(page, "events", "T", placeholder_names=["Ìpolongo bot"])
    assert after == page + "\n" + render_region("events", "T")
    inline = insert_region(page, "metrics", "M", placeholder_names=["Ìpolongo bot"])
    assert inline == (
        "A {{ìpolongo bot|metrics}}\n" + render_region("metrics", "M") + "\n B\n"
        "{{Ìpolongo bot|events}}"
    )


def test_placeholder_in_a_comment_or_nowiki_is_ignored():
    page = (
        "<!-- {{Campaign bot region|events}} -->\n<nowiki>{{Campaign bot region|events}}</nowiki>"
    )
    assert insert_region(page, "events", "T") == page + "\n\n" + render_region("events", "T")


def test_two_placeholders_for_one_region_is_an_error():
    page = "{{Campaign bot region|events}}\n{{Campaign bot region|events}}"
    with pytest.raises(RegionError, match="2 placeholders"):
        insert_region(page, "events", "T", page="C")


@pytest.mark.parametrize(
    ("page", "joiner"), [("Text", "\n\n"), ("Text\n", "\n"), ("Text\n\n", ""), ("", "")]
)
def test_insert_at_the_end_after_a_blank_line(page, joiner):
    assert insert_region(page, "metrics", "M") == page + joiner + render_region("metrics", "M")


def test_insert_refuses_an_existing_region():
    with pytest.raises(RegionError, match="already on the page"):
        insert_region(PAGE, "metrics", "x", page="Lagos 2027")


def test_strip_regions_leaves_the_human_text():
    human = strip_regions(PAGE)
    assert "old row" not in human and "Metrics" not in human
    assert "campaignkit" not in human
    assert "* ~~~~ a human signature" in human
    assert human.startswith("Intro by a human.\n\n== Participants ==\n\n\n== Sign up ==")
    assert strip_regions("no regions") == "no regions"


human_text = st.lists(
    st.sampled_from(["a", "b", " ", "\n", "!", "-", "{", "}", "|", "=", "~", ">", "-->"])
    | st.sampled_from(["<!-- note -->", "<nowiki>x</nowiki>", "campaignkit", "<pre>y</pre>"]),
    max_size=20,
).map("".join)


@settings(max_examples=200, deadline=None)
@given(human_text, human_text, st.text(max_size=40).filter(lambda t: "<" not in t))
def test_property_replace_keeps_every_outside_byte(before, after, content):
    page = before + "\n" + render_region("events", "old") + "\n" + after
    result = replace_region(page, "events", content)
    assert result.startswith(before + "\n" + begin_marker("events"))
    assert result.endswith(end_marker("events") + "\n" + after)
    assert region_content(result, "events") == content
    assert strip_regions(result) == strip_regions(page)
