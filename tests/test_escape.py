"""Escaping of parameter values: every rule, the corpus, and properties over any text."""

from __future__ import annotations

import re
import unicodedata

import mwparserfromhell
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campaignkit.contract import Kind
from campaignkit.wikitext.escape import (
    EscapeError,
    ForbiddenCharacter,
    LineBreakNotAllowed,
    decode_character_references,
    escape_field,
    escape_url,
    escape_value,
    is_forbidden,
    normalize_value,
    unescape_value,
)
from tests.hostile_inputs import HOSTILE_INPUTS, REJECTED_INPUTS, URL_INPUTS

SINGLE_LINE = [h for h in HOSTILE_INPUTS if not h.multiline]

# Markup that must never appear raw in an escaped value.
NEVER_RAW = ["{", "}", "[", "]", "|", "<", ">", "=", "'", '"', "~~~", "__", "://", "\n\n"]


def escape_any(value: str) -> str:
    return escape_value(value, multiline="\n" in value or "\r" in value)


@pytest.mark.parametrize(
    ("value", "escaped"),
    [
        ("|", "&#124;"),
        ("x}}{{Evil|1=2", "x&#125;&#125;&#123;&#123;Evil&#124;1&#61;2"),
        ("[[Category:Spam]]", "&#91;&#91;Category:Spam&#93;&#93;"),
        ("<ref>", "&#60;ref&#62;"),
        ("a & b; 'c' \"d\"", "a &#38; b&#59; &#39;c&#39; &#34;d&#34;"),
        ("~~~~", "~~&#126;&#126;"),
        ("~~~~~", "~~&#126;&#126;&#126;"),
        ("__NOINDEX__", "_&#95;NOINDEX_&#95;"),
        ("https://evil.example", "https&#58;//evil.example"),
        ("mailto:x@example.org", "mailto&#58;x@example.org"),
        ("ISBN 978-3-16-148410-0", "ISBN&#32;978-3-16-148410-0"),
        ("RFC 1234", "RFC&#32;1234"),
        ("PMID\u00a012345", "PMID&#160;12345"),
        ("----", "&#45;---"),
        ("#REDIRECT", "&#35;REDIRECT"),
        ("* a", "&#42; a"),
        (": a", "&#58; a"),
        ("; a", "&#59; a"),
        ("! a", "&#33; a"),
        (" lead", "&#32;lead"),
        ("trail ", "trail&#32;"),
        ("\tx\t", "&#9;x&#9;"),
        ("abc\u202edef", "abc&#8238;def"),
        ("\u0338x", "&#824;x"),
    ],
)
def test_single_line_rules(value, escaped):
    assert escape_value(value) == escaped
    assert unescape_value(escaped) == value


def test_ordinary_text_stays_readable():
    text = "Lagos edit-a-thon: Yaba Library, 20 April (hybrid) — Ẹ̀kọ́ 2027!"
    assert escape_value(text) == text


def test_words_that_end_in_a_scheme_name_keep_their_colon():
    assert escape_value("Hotel: Lagos") == "Hotel: Lagos"
    assert escape_value("Hotel: tel:123") == "Hotel: tel&#58;123"


@pytest.mark.parametrize(
    ("value", "escaped"),
    [
        ("a\nb", "a\nb"),
        ("a\n\nb", "a\n&#10;b"),
        ("a\n\n\nb", "a\n&#10;&#10;b"),
        ("\na", "&#10;a"),
        ("a\n", "a&#10;"),
        (
            "a\n* b\n# c\n: d\n; e\n! f\n g\n\th",
            "a\n&#42; b\n&#35; c\n&#58; d\n&#59; e\n&#33; f\n&#32;g\n&#9;h",
        ),
        ("x\n==H==", "x\n&#61;&#61;H&#61;&#61;"),
        ("x\n{|\n|}", "x\n&#123;&#124;\n&#124;&#125;"),
        ("x\n----", "x\n&#45;---"),
        ("a \nb", "a&#32;\nb"),
        ("ISBN\n978-3-16-148410-0", "ISBN&#10;978-3-16-148410-0"),
    ],
)
def test_multiline_rules(value, escaped):
    assert escape_value(value, multiline=True) == escaped
    assert unescape_value(escaped) == value


def test_multiline_normalizes_windows_line_breaks():
    assert escape_value("a\r\nb\rc", multiline=True) == "a\nb\nc"


@pytest.mark.parametrize("value", ["a\nb", "a\rb", "a\r\nb", "\n"])
def test_single_line_fields_refuse_line_breaks(value):
    with pytest.raises(LineBreakNotAllowed, match="line breaks are not allowed"):
        escape_value(value)
    assert issubclass(LineBreakNotAllowed, ValueError)


@pytest.mark.parametrize("entry", REJECTED_INPUTS, ids=lambda h: h.id)
def test_characters_a_page_cannot_hold_are_refused(entry):
    with pytest.raises(ForbiddenCharacter, match=r"U\+[0-9A-F]{4}.*cannot be stored"):
        escape_value(entry.value, multiline=True)


def test_tab_and_newline_are_not_forbidden():
    assert not is_forbidden("\t")
    assert not is_forbidden("\n")
    assert is_forbidden("\x00")
    assert is_forbidden("\U0010ffff")


def test_values_are_stored_nfc():
    decomposed = "Cafe\u0301"
    assert escape_value(decomposed) == "Café"
    assert unescape_value(escape_value(decomposed)) == unicodedata.normalize("NFC", decomposed)


@pytest.mark.parametrize("entry", HOSTILE_INPUTS, ids=lambda h: h.id)
def test_corpus_round_trips_and_has_no_raw_markup(entry):
    escaped = escape_any(entry.value)
    assert unescape_value(escaped) == entry.expected
    for markup in NEVER_RAW:
        assert markup not in escaped, markup
    for line in escaped.split("\n"):
        assert not line or line[0] not in "*#:; \t!={|", line
        assert not line.startswith("----"), line
        assert line == line.rstrip(" \t")
    assert unicodedata.normalize("NFC", escaped) == escaped


@pytest.mark.parametrize("entry", [h for h in HOSTILE_INPUTS if h.multiline], ids=lambda h: h.id)
def test_corpus_multiline_entries_are_refused_by_single_line_fields(entry):
    with pytest.raises(LineBreakNotAllowed):
        escape_value(entry.value)


@pytest.mark.parametrize("entry", HOSTILE_INPUTS, ids=lambda h: h.id)
def test_corpus_value_is_exactly_one_parameter(entry):
    """mwparserfromhell sees one call with one parameter, whatever the value."""
    escaped = escape_any(entry.value)
    for call in (
        f"{{{{T|name={escaped}}}}}",
        f"{{{{T\n| name = {escaped}\n}}}}",
        f"{{{{T|{escaped}}}}}",
    ):
        code = mwparserfromhell.parse(call)
        templates = code.filter_templates(recursive=True)
        assert len(templates) == 1
        assert len(templates[0].params) == 1
        assert unescape_value(str(templates[0].params[0].value)) == entry.expected
        assert not code.filter_wikilinks() and not code.filter_external_links()
        assert not code.filter_tags() and not code.filter_comments()


def test_unescape_reads_what_people_type():
    assert unescape_value("  Lagos  ") == "Lagos"
    assert unescape_value(" Lagos <!-- the city --> \n") == "Lagos"
    assert unescape_value("a\n<!-- note -->\nb") == "a\nb"
    assert unescape_value("<!-- unclosed") == ""
    assert unescape_value("<nowiki> [[x]] </nowiki>") == " [[x]] "
    assert unescape_value("<nowiki/>x") == "x"
    assert unescape_value("a{{!}}b{{=}}c") == "a|b=c"
    assert unescape_value("Tom &amp; Jerry&nbsp;&#x41;&#66;") == "Tom & Jerry\u00a0AB"
    assert unescape_value("&bogus; & ;") == "&bogus; & ;"
    assert unescape_value("&amp") == "&amp"  # MediaWiki needs the semicolon


def test_character_references_follow_mediawiki():
    assert decode_character_references("&#0;&#128;&#55296;") == "\ufffd" * 3
    assert decode_character_references("&רלמ;") == "\u200f"
    assert decode_character_references("&#x1F600;") == "😀"


@pytest.mark.parametrize("entry", URL_INPUTS, ids=lambda h: h.id)
def test_urls_keep_their_scheme_and_escape_the_rest(entry):
    escaped = escape_url(entry.value)
    assert re.match(r"https?://", escaped)
    assert unescape_value(escaped) == entry.value
    for markup in ["{", "}", "[", "]", "|", "<", ">", "~~~", "__"]:
        assert markup not in escaped
    assert "://" not in escaped[len("https://") :]


@pytest.mark.parametrize("value", ["javascript:alert(1)", "ftp://x.example", "x", "https://a b"])
def test_escape_url_refuses_what_is_not_an_http_url(value):
    with pytest.raises(EscapeError):
        escape_url(value)


def test_escape_field_follows_the_kind():
    assert escape_field("a\nb", Kind.MULTILINE) == "a\nb"
    assert escape_field("A\nB", Kind.TITLES) == "A\nB"
    assert escape_field("https://x.example/a=b", Kind.URL) == "https://x.example/a&#61;b"
    assert escape_field("", Kind.URL) == ""
    with pytest.raises(LineBreakNotAllowed):
        escape_field("a\nb", Kind.TEXT)
    assert normalize_value("a\r\nb", Kind.MULTILINE) == "a\nb"


def test_very_long_values_are_linear():
    value = "x}}{{Evil|1=2 ~~~~ __X__ https://e.example\n" * 5_000
    escaped = escape_value(value, multiline=True)
    assert unescape_value(escaped) == value


# --- properties over any text ----------------------------------------------------

FRAGMENTS = [
    "{{",
    "}}",
    "[[",
    "]]",
    "{{{",
    "|",
    "=",
    "~~~",
    "~",
    "__",
    "_",
    "://",
    ":",
    "<!--",
    "-->",
    "<nowiki>",
    "</nowiki>",
    "<ref>",
    "'''",
    "''",
    "'",
    '"',
    "&",
    "&amp;",
    "&#124;",
    ";",
    "#",
    "*",
    "!",
    "-",
    "----",
    " ",
    "\t",
    "\n",
    "\r\n",
    "ISBN ",
    "RFC ",
    "tel:",
    "http://",
    "\u202e",
    "\u200d",
    "\u0301",
    "\u0338",
    "\u00a0",
    "«",
    "»",
    "{|",
    "|}",
    "-{",
    "}-",
]
allowed_char = st.characters(codec="utf-8").filter(lambda c: not is_forbidden(c))
any_text = st.lists(st.one_of(st.sampled_from(FRAGMENTS), allowed_char), max_size=30).map("".join)
one_line_text = any_text.map(lambda t: t.replace("\r", "").replace("\n", ""))


@settings(max_examples=500, deadline=None)
@given(any_text)
def test_property_multiline_round_trip(value):
    escaped = escape_value(value, multiline=True)
    expected = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    assert unescape_value(escaped) == expected
    assert unicodedata.normalize("NFC", escaped) == escaped
    for markup in NEVER_RAW:
        assert markup not in escaped


@settings(max_examples=500, deadline=None)
@given(one_line_text)
def test_property_one_parameter_whatever_the_text(value):
    escaped = escape_value(value)
    assert "\n" not in escaped
    # As MediaWiki saves it: NFC of the whole call, with "=" right before the value.
    saved = unicodedata.normalize("NFC", f"{{{{T|name={escaped}|x=1}}}}")
    templates = mwparserfromhell.parse(saved).filter_templates(recursive=True)
    assert len(templates) == 1
    assert [str(p.name) for p in templates[0].params] == ["name", "x"]
    assert unescape_value(str(templates[0].params[0].value)) == unicodedata.normalize("NFC", value)


def test_scheme_after_an_encoded_word_character_is_escaped():
    # Found by the property test on the real wiki: "__tel:" is written "_&#95;tel:", and
    # the ";" ending the entity lets MediaWiki start a free "tel:" link there.
    assert escape_value("__NOTOC__tel:{{", multiline=True).endswith("tel&#58;&#123;&#123;")
    assert escape_value("x_tel:2") == "x_tel:2"  # a plain word character is no boundary
