"""Finding, reading and editing template calls without touching any other byte."""

from __future__ import annotations

import difflib

import pytest

from campaignkit.manifest import english_manifest, load_manifest
from campaignkit.wikitext.templates import (
    TemplateCodecError,
    TemplateNotFound,
    find_calls,
    parse_wikitext,
    render_call,
    template_name_matches,
    update_params,
)

YORUBA_MANIFEST = """
[templates.campaign_event]
name = "Ìṣẹ̀lẹ̀ ìpolongo"
aliases = ["Ipolongo"]
[templates.campaign_event.params]
name = ["orúkọ", "oruko"]
start = ["ìbẹ̀rẹ̀"]
"""

EVENT = english_manifest().template("campaign_event")
PARTICIPANT = english_manifest().template("participant")


@pytest.fixture
def yoruba(tmp_path):
    (tmp_path / "yowiki.toml").write_text(YORUBA_MANIFEST, encoding="utf-8")
    return load_manifest("yowiki", "yo", tmp_path).template("campaign_event")


def diff_lines(before: str, after: str) -> list[str]:
    """The changed lines of a unified diff, without headers and context."""
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


# --- finding ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        "{{Campaign event|name=x}}",
        "{{campaign event|name=x}}",
        "{{Campaign_event|name=x}}",
        "{{  Campaign   event  |name=x}}",
        "{{Template:Campaign event|name=x}}",
        "{{template : Campaign_event|name=x}}",
        "{{Campaign event<!-- the event -->|name=x}}",
        "{{Campaign event\n|name=x\n}}",
        "{{Àdàkọ:Campaign event|name=x}}",
    ],
)
def test_finds_the_template_however_it_is_spelled(call):
    calls = find_calls(f"before {call} after", EVENT, namespaces=["Àdàkọ"])
    assert len(calls) == 1
    assert calls[0].values == {"name": "x"}


@pytest.mark.parametrize(
    "page",
    [
        "<nowiki>{{Campaign event|name=x}}</nowiki>",
        "<!-- {{Campaign event|name=x}} -->",
        "<pre>{{Campaign event|name=x}}</pre>",
        "<syntaxhighlight lang=wikitext>{{Campaign event|name=x}}</syntaxhighlight>",
        "text <!-- unclosed comment {{Campaign event|name=x}}",
        "{{:Campaign event|name=x}}",
        "{{Campaign Event|name=x}}",
        "{{Campaign events|name=x}}",
        "{{Other:Campaign event|name=x}}",
        "{{subst:Campaign event|name=x}}",
    ],
)
def test_ignores_what_mediawiki_would_not_expand_as_this_template(page):
    assert find_calls(page, EVENT) == []


def test_finds_calls_nested_in_other_markup():
    page = (
        "<div>{{Box|content={{Campaign event|name=a}}}}</div><ref>{{Campaign event|name=b}}</ref>"
    )
    assert [c.values["name"] for c in find_calls(page, EVENT)] == ["a", "b"]


def test_localized_names_and_aliases(yoruba):
    page = "{{Ìṣẹ̀lẹ̀ ìpolongo|orúkọ=A}} {{ipolongo|oruko=B}} {{Campaign event|name=C}}"
    calls = find_calls(page, yoruba)
    assert [c.values["name"] for c in calls] == ["A", "B", "C"]
    assert calls[0].names_used == {"name": "orúkọ"}
    assert template_name_matches("Template:Ipolongo", yoruba)


# --- reading ----------------------------------------------------------------------


def test_reads_parameters_typed_by_hand():
    page = """{{Campaign event
|campaign=  WikiForHumanRights 2027
| name   = Lagos &amp; Ibadan <!-- both cities -->
|   location =
| start = 2027-04-20 10:00
| name = Lagos edit-a-thon
| descriptoin = typo
| description = <!-- say what happens -->
  Line one
  <!-- hidden line -->
  Line two
}}"""
    call = find_calls(page, EVENT)[0]
    assert call.values == {
        "campaign": "WikiForHumanRights 2027",
        "name": "Lagos edit-a-thon",
        "location": "",
        "start": "2027-04-20 10:00",
        "description": "Line one\n  Line two",
    }
    assert call.repeated == ("name",)
    assert call.unknown == {"descriptoin": "typo"}


def test_alias_and_canonical_name_the_last_one_wins(yoruba):
    call = find_calls("{{Campaign event|orúkọ=A|name=B|oruko=C}}", yoruba)[0]
    assert call.values["name"] == "C"
    assert call.names_used["name"] == "oruko"
    assert call.repeated == ("name",)


def test_positional_and_explicit_first_parameter():
    assert find_calls("{{Participant| Bola }}", PARTICIPANT)[0].values == {"1": "Bola"}
    assert find_calls("{{Participant|1=Bola}}", PARTICIPANT)[0].values == {"1": "Bola"}
    assert find_calls("{{Participant|Ada|1=Bola}}", PARTICIPANT)[0].values == {"1": "Bola"}


# --- updating ---------------------------------------------------------------------

BLOCK_PAGE = """Intro, signed ~~~~.
{{Campaign event
| campaign = WikiForHumanRights 2027
| name     = Lagos edit-a-thon  <!-- short -->
| start    = 2027-04-20 10:00
| end      = 2027-04-20 16:00
| format   = hybrid
| wiki     = yowiki
}}
== Sign up ==
* {{Participant|Bola}}"""


def test_unchanged_values_leave_the_page_identical():
    changes = {"name": "Lagos edit-a-thon", "format": "hybrid", "location": ""}
    assert update_params(BLOCK_PAGE, EVENT, changes) == BLOCK_PAGE


def test_changing_one_value_changes_exactly_its_line_and_keeps_its_comment():
    after = update_params(BLOCK_PAGE, EVENT, {"name": "Lagos | Ibadan}}"})
    assert diff_lines(BLOCK_PAGE, after) == [
        "-| name     = Lagos edit-a-thon  <!-- short -->",
        "+| name     = Lagos &#124; Ibadan&#125;&#125;  <!-- short -->",
    ]
    assert find_calls(after, EVENT)[0].values["name"] == "Lagos | Ibadan}}"


def test_a_new_parameter_goes_in_contract_order_aligned_with_its_neighbours():
    after = update_params(BLOCK_PAGE, EVENT, {"location": "Yaba Library, Lagos"})
    assert diff_lines(BLOCK_PAGE, after) == ["+| location = Yaba Library, Lagos"]
    lines = after.splitlines()
    assert lines[lines.index("| location = Yaba Library, Lagos") - 1].startswith("| format")


def test_a_new_parameter_at_the_end_of_a_block_call():
    after = update_params(BLOCK_PAGE, EVENT, {"description": "Bring a laptop.\n* and a charger"})
    assert diff_lines(BLOCK_PAGE, after) == [
        "+| description = Bring a laptop.",
        "+&#42; and a charger",
    ]
    assert after.endswith("&#42; and a charger\n}}\n== Sign up ==\n* {{Participant|Bola}}")


def test_a_new_parameter_in_an_inline_call_stays_inline():
    page = "Text {{Campaign event|name=A|start=B}} text"
    after = update_params(page, EVENT, {"end": "C", "campaign": "Z"})
    assert after == "Text {{Campaign event|campaign=Z|name=A|start=B|end=C}} text"
    spaced = "{{Campaign event | name = A | wiki = B }}"
    assert (
        update_params(spaced, EVENT, {"format": "online"})
        == "{{Campaign event | name = A | format = online | wiki = B }}"
    )


def test_appending_when_the_last_parameter_closes_on_its_line():
    page = "{{Campaign event\n|name=A\n|wiki=B}}"
    assert update_params(page, EVENT, {"signup": "open"}) == (
        "{{Campaign event\n|name=A\n|wiki=B\n|signup=open}}"
    )


def test_first_parameter_of_an_empty_call_starts_block_style():
    assert update_params("x {{Campaign event}} y", EVENT, {"name": "A", "wiki": "B"}) == (
        "x {{Campaign event\n| name = A\n| wiki = B\n}} y"
    )


def test_filling_an_empty_value_keeps_its_hint_comment():
    page = "{{Campaign event\n| name = A\n| location = <!-- city -->\n| wiki = B\n}}"
    assert update_params(page, EVENT, {"location": "Lagos"}) == page.replace(
        "<!-- city -->", "<!-- city --> Lagos"
    )
    empty = "{{Campaign event\n| name = A\n| location =\n}}"
    assert update_params(empty, EVENT, {"location": "Lagos"}) == empty.replace(
        "location =", "location = Lagos"
    )


def test_the_winning_duplicate_is_the_one_changed():
    page = "{{Campaign event\n| name = Old\n| name = Current\n}}"
    after = update_params(page, EVENT, {"name": "New"})
    assert after == "{{Campaign event\n| name = Old\n| name = New\n}}"


def test_an_alias_keeps_its_name(yoruba):
    page = "{{Ipolongo\n| oruko = A\n}}"
    assert update_params(page, yoruba, {"name": "B"}) == "{{Ipolongo\n| oruko = B\n}}"
    added = update_params(page, yoruba, {"start": "2027-01-01 10:00"})
    assert added == "{{Ipolongo\n| oruko = A\n| ìbẹ̀rẹ̀ = 2027-01-01 10:00\n}}"


def test_removing_a_parameter():
    after = update_params(BLOCK_PAGE, EVENT, {"format": None, "location": None})
    assert diff_lines(BLOCK_PAGE, after) == ["-| format   = hybrid"]


def test_positional_parameter_is_written_positionally():
    assert update_params("{{Participant}}", PARTICIPANT, {"1": "Ada=Bola"}) == (
        "{{Participant|Ada&#61;Bola}}"
    )
    assert update_params("{{Participant|Ada}}", PARTICIPANT, {"1": "Bola"}) == (
        "{{Participant|Bola}}"
    )


def test_picks_the_call_by_occurrence_and_leaves_the_others():
    page = "{{Participant|A}}\n{{Participant|B}}\n{{Participant|C}}"
    assert update_params(page, PARTICIPANT, {"1": "X"}, occurrence=1) == (
        "{{Participant|A}}\n{{Participant|X}}\n{{Participant|C}}"
    )
    with pytest.raises(TemplateNotFound, match="call number 4"):
        update_params(page, PARTICIPANT, {"1": "X"}, occurrence=3)


def test_unknown_field_is_an_error():
    with pytest.raises(TemplateCodecError, match="no field 'nmae'"):
        update_params(BLOCK_PAGE, EVENT, {"nmae": "x"})


def test_single_line_field_refuses_a_line_break():
    with pytest.raises(ValueError, match="line breaks"):
        update_params(BLOCK_PAGE, EVENT, {"name": "a\nb"})


def test_hostile_value_cannot_add_a_call_or_close_this_one():
    after = update_params(BLOCK_PAGE, EVENT, {"name": "x}}{{Evil|1=2", "location": "{{Evil}}"})
    code = parse_wikitext(after)
    names = [str(t.name).strip() for t in code.filter_templates(recursive=True)]
    assert names == ["Campaign event", "Participant"]
    assert find_calls(after, EVENT)[0].values["name"] == "x}}{{Evil|1=2"


def test_page_after_an_unclosed_comment_is_kept_byte_for_byte():
    page = "{{Campaign event|name=A}} <!-- unclosed {{Campaign event|name=B}}"
    assert update_params(page, EVENT, {"name": "C"}) == (
        "{{Campaign event|name=C}} <!-- unclosed {{Campaign event|name=B}}"
    )


def test_every_byte_outside_the_call_is_kept():
    prefix = "Some ''text'' with [[links]], {{Other|a=b}} and <ref>refs</ref>\n\n"
    suffix = "\n<!-- comment -->\n{| class=wikitable\n| cell\n|}\n"
    page = prefix + "{{Campaign event|name=A}}" + suffix
    after = update_params(page, EVENT, {"name": "B", "description": "x\n\ny"})
    assert after.startswith(prefix)
    assert after.endswith(suffix)


# --- rendering --------------------------------------------------------------------


def test_render_a_new_call_in_block_style_in_contract_order():
    text = render_call(
        EVENT,
        {"wiki": "yowiki", "name": "x}}{{Evil", "campaign": "C", "description": "a\n\nb"},
    )
    assert text == (
        "{{Campaign event\n"
        "| campaign = C\n"
        "| name = x&#125;&#125;&#123;&#123;Evil\n"
        "| wiki = yowiki\n"
        "| description = a\n&#10;b\n"
        "}}"
    )
    assert find_calls(text, EVENT)[0].values == {
        "campaign": "C",
        "name": "x}}{{Evil",
        "wiki": "yowiki",
        "description": "a\n\nb",
    }


def test_render_uses_the_wikis_names(yoruba):
    text = render_call(yoruba, {"name": "Àpérò", "start": "2027-04-20 10:00", "end": ""})
    assert text == ("{{Ìṣẹ̀lẹ̀ ìpolongo\n| orúkọ = Àpérò\n| ìbẹ̀rẹ̀ = 2027-04-20 10:00\n| end =\n}}")


def test_render_positional_template_inline():
    assert render_call(PARTICIPANT, {"1": "Bola|x"}) == "{{Participant|Bola&#124;x}}"


def test_render_refuses_unknown_fields():
    with pytest.raises(TemplateCodecError):
        render_call(EVENT, {"nmae": "x"})


def test_render_inline_for_table_rows():
    text = render_call(EVENT, {"name": "a|b", "campaign": "C", "location": " x "}, inline=True)
    assert text == "{{Campaign event|campaign=C|name=a&#124;b|location=&#32;x&#32;}}"
    assert find_calls(text, EVENT)[0].values == {"campaign": "C", "name": "a|b", "location": " x "}
