"""The codec against a real MediaWiki: hostile values read back exactly and add no markup.

A throwaway template echoes the event's free-text fields into the places a
real template puts them: inside spans, at the start of a line in a div, in a
table cell, in an attribute and as an external link target. The contract's
``campaign_event`` template is mapped onto it through a throwaway manifest
(the way a wiki localizes its name), so the real ``{{Campaign event}}`` that
the template installer manages on the same wiki is never touched.

Every call of a page is compared with the same page written with harmless
values: the HTML element structure, and the templates, links, categories,
external links, interwiki links, images, sections, page properties and parser
warnings must be identical; the saved wikitext must be exactly what was
written (no signature expanded, nothing normalized), and the codec must read
every value back.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campaignkit.contract import CAMPAIGN_EVENT, Kind
from campaignkit.manifest import load_manifest
from campaignkit.wikitext.escape import decode_character_references, escape_field, is_forbidden
from campaignkit.wikitext.templates import find_calls, render_call, update_params
from tests.hostile_inputs import HOSTILE_INPUTS, URL_INPUTS

pytestmark = pytest.mark.wiki

WIKI = "yowiki"
SINGLE_LINE_FIELDS = ("name", "location", "organizers", "worklist")  # TEXT, TEXT, USERS, TITLE
MULTILINE_FIELD = "description"  # MULTILINE
ECHOED = (*SINGLE_LINE_FIELDS, MULTILINE_FIELD)
BASELINE = {
    "name": "harmless name",
    "location": "harmless location",
    "organizers": "Harmless organizer",
    "worklist": "Harmless worklist",
    "description": "harmless description\nsecond line",
    "meeting_link": "https://meet.example.org/harmless",
}
ECHO_TEMPLATE = """<div class="ck-call">
<span class="ck-echo">{{{name|}}}</span> <span class="ck-echo">{{{location|}}}</span> \
<span class="ck-echo">{{{organizers|}}}</span> <span class="ck-echo">{{{worklist|}}}</span> \
<span class="ck-echo">{{{description|}}}</span><span class="ck-attr" title="{{{name|}}}"></span>
<div class="ck-line">
{{{name|}}}
</div>
<div class="ck-line">
{{{description|}}}
</div>
{| class="ck-table"
|-
| {{{location|}}}
|-
|
{{{description|}}}
|}
<span class="ck-link">[{{{meeting_link|}}} link]</span>
</div>"""
PARSE_PROPS = (
    "templates|links|categories|externallinks|iwlinks|images|sections|properties"
    "|parsewarnings|langlinks"
)
VOID_ELEMENTS = {"br", "hr", "img", "input", "link", "meta", "wbr", "source", "track"}


# --- talking to the wiki ---------------------------------------------------------


@dataclass
class Echo:
    """The throwaway echo template and the manifest that maps the event onto it."""

    connection: Any
    template: Any  # LocalTemplate of campaign_event, named like the echo template


@pytest.fixture(scope="module")
def echo(farm, tmp_path_factory) -> Echo:
    connection = farm[WIKI]
    connection.login()
    name = f"CK echo {uuid.uuid4().hex[:10]}"
    save(connection, f"Template:{name}", ECHO_TEMPLATE)
    directory = tmp_path_factory.mktemp("manifest")
    (directory / "echowiki.toml").write_text(
        f'[templates.campaign_event]\nname = "{name}"\n', encoding="utf-8"
    )
    manifest = load_manifest("echowiki", "xx", directory)
    return Echo(connection, manifest.template("campaign_event"))


def save(connection, title: str, text: str) -> None:
    """Save a page with one API request (pywikibot's save costs several)."""
    answer = connection.api(
        action="edit",
        title=title,
        text=text,
        summary="campaignkit codec test",
        token=connection.site.tokens["csrf"],
        bot="1",
    )
    assert answer["edit"]["result"] == "Success", answer


def parse(connection, title: str) -> dict[str, Any]:
    """The saved wikitext and everything the parser made of it, in one request."""
    answer = connection.api(
        action="parse",
        page=title,
        prop="text|wikitext|" + PARSE_PROPS,
        formatversion="2",
        disablelimitreport="1",
    )
    return answer["parse"]


def metadata(parsed: dict[str, Any]) -> dict[str, Any]:
    """What a page adds besides its text, comparable between two pages."""
    return {
        "templates": sorted(t["title"] for t in parsed["templates"]),
        "links": sorted(link["title"] for link in parsed["links"]),
        "categories": sorted(c["category"] for c in parsed["categories"]),
        "externallinks": sorted(set(parsed["externallinks"])),
        "iwlinks": sorted(i["title"] for i in parsed["iwlinks"]),
        "images": sorted(parsed["images"]),
        "sections": parsed["sections"],
        "properties": sorted(parsed["properties"]),
        "parsewarnings": parsed["parsewarnings"],
        "langlinks": parsed["langlinks"],
    }


# --- reading the rendered HTML -----------------------------------------------------


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    children: list[Element | str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text for c in self.children)

    def skeleton(self) -> list[str]:
        """Tag names and attribute names in document order: structure without content."""
        shape = [f"<{self.tag} {sorted(self.attrs)} {self.attrs.get('class', '')}>"]
        for child in self.children:
            if isinstance(child, Element):
                shape.extend(child.skeleton())
        shape.append(f"</{self.tag}>")
        return shape

    def find_all(self, class_name: str) -> list[Element]:
        found = [self] if class_name in self.attrs.get("class", "").split() else []
        for child in self.children:
            if isinstance(child, Element):
                found.extend(child.find_all(class_name))
        return found


class TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(element)
        if tag not in VOID_ELEMENTS:
            self.stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID_ELEMENTS:
            return
        assert self.stack[-1].tag == tag, f"unbalanced </{tag}> in parser output"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def html_tree(html: str) -> Element:
    builder = TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def as_rendered(value: str, kind: Kind) -> str:
    """The text MediaWiki shows for a value.

    Sanitizer::armorFrenchSpaces() turns a space before ``?:;!%»›`` (and after
    ``«‹``) into a no-break space. It runs on the wikitext's characters with
    character references still encoded, so it sees what the codec wrote, not
    the decoded value.
    """
    text = escape_field(value, kind)
    text = re.sub(r" (?=[?:;!%»›](?!\w))", "&#160;", text)
    text = re.sub(r"([«‹]) ", "\\1&#160;", text)
    return decode_character_references(text)


def collapse(value: str) -> str:
    return " ".join(value.split())


# --- writing a batch of values as one page ----------------------------------------


@dataclass
class Batch:
    """One saved page of calls and what was expected of each."""

    written: str
    saved: str
    parsed: dict[str, Any]
    calls: list[Element]
    expected: list[dict[str, str]]
    read_back: list[dict[str, str]]


def values_for(entry_value: str) -> dict[str, str]:
    """Put a value into every field that can take it; harmless values elsewhere."""
    values = dict(BASELINE)
    multiline = "\n" in entry_value or "\r" in entry_value
    if not multiline:
        values.update(dict.fromkeys(SINGLE_LINE_FIELDS, entry_value))
    values[MULTILINE_FIELD] = entry_value
    return values


def expected_of(values: dict[str, str]) -> dict[str, str]:
    def normal(text: str) -> str:
        return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))

    return {name: normal(value) for name, value in values.items()}


def write_batch(echo: Echo, batch: list[dict[str, str]], *, through_update: bool) -> Batch:
    """Write the calls (new, or by updating harmless calls in place), save, parse."""
    template = echo.template
    if through_update:
        text = "\n\n".join(render_call(template, BASELINE) for _ in batch)
        for occurrence, values in enumerate(batch):
            text = update_params(text, template, values, occurrence=occurrence)
    else:
        text = "\n\n".join(render_call(template, values) for values in batch)
    title = f"CK codec {uuid.uuid4().hex[:10]}"
    save(echo.connection, title, text)
    parsed = parse(echo.connection, title)
    saved = parsed["wikitext"]
    calls = html_tree(parsed["text"]).find_all("ck-call")
    read_back = [call.values for call in find_calls(saved, template)]
    return Batch(text, saved, parsed, calls, [expected_of(v) for v in batch], read_back)


@pytest.fixture(scope="module")
def baseline(echo) -> Batch:
    return write_batch(echo, [BASELINE], through_update=False)


def check_call(call: Element, expected: dict[str, str], baseline: Batch, label: str) -> None:
    assert call.skeleton() == baseline.calls[0].skeleton(), f"{label}: markup changed"
    echoed = [span.text for span in call.find_all("ck-echo")]
    kinds = [CAMPAIGN_EVENT.field(name).kind for name in ECHOED]
    assert echoed == [as_rendered(expected[n], k) for n, k in zip(ECHOED, kinds, strict=True)], (
        label
    )
    (attribute,) = call.find_all("ck-attr")
    assert collapse(attribute.attrs["title"]) == collapse(expected["name"]), label


def check_batch(batch: Batch, baseline: Batch, labels: list[str]) -> None:
    assert batch.saved == batch.written, "MediaWiki changed the text on save"
    assert metadata(batch.parsed) == metadata(baseline.parsed)
    assert len(batch.read_back) == len(batch.calls) == len(batch.expected)
    for label, call, values, expected in zip(
        labels, batch.calls, batch.read_back, batch.expected, strict=True
    ):
        assert values == expected, label
        check_call(call, expected, baseline, label)


# --- the corpus ------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_written_new(echo) -> Batch:
    return write_batch(echo, [values_for(h.value) for h in HOSTILE_INPUTS], through_update=False)


@pytest.fixture(scope="module")
def corpus_updated(echo) -> Batch:
    return write_batch(echo, [values_for(h.value) for h in HOSTILE_INPUTS], through_update=True)


def test_baseline_shows_the_echo(baseline):
    (call,) = baseline.calls
    assert [span.text for span in call.find_all("ck-echo")] == [BASELINE[name] for name in ECHOED]
    assert metadata(baseline.parsed)["externallinks"] == [BASELINE["meeting_link"]]
    assert len(metadata(baseline.parsed)["templates"]) == 1


@pytest.mark.parametrize("fixture", ["corpus_written_new", "corpus_updated"])
def test_corpus_page_adds_nothing_and_saves_unchanged(request, fixture, baseline):
    batch: Batch = request.getfixturevalue(fixture)
    assert batch.saved == batch.written
    assert metadata(batch.parsed) == metadata(baseline.parsed)
    assert len(batch.calls) == len(batch.read_back) == len(HOSTILE_INPUTS)


@pytest.mark.parametrize("fixture", ["corpus_written_new", "corpus_updated"])
@pytest.mark.parametrize(
    ("index", "entry"), list(enumerate(HOSTILE_INPUTS)), ids=[h.id for h in HOSTILE_INPUTS]
)
def test_corpus_entry_reads_back_and_renders_as_text(request, fixture, index, entry, baseline):
    batch: Batch = request.getfixturevalue(fixture)
    values = batch.read_back[index]
    expected = batch.expected[index]
    assert values[MULTILINE_FIELD] == entry.expected
    if not entry.multiline:
        assert all(values[name] == entry.expected for name in SINGLE_LINE_FIELDS)
    assert values == expected
    check_call(batch.calls[index], expected, baseline, entry.id)


# --- URLs ------------------------------------------------------------------------


def as_external_link(url: str) -> str:
    """The URL as MediaWiki lists it: Sanitizer::cleanUrl() percent-encodes some characters."""
    return re.sub(r'[\[\]<>"|{}\x00-\x20\x7f]', lambda m: f"%{ord(m.group(0)):02X}", url)


def test_url_fields_stay_one_external_link_each(echo, baseline):
    batch = write_batch(
        echo, [dict(BASELINE, meeting_link=h.value) for h in URL_INPUTS], through_update=True
    )
    assert batch.saved == batch.written
    wanted = metadata(baseline.parsed) | {
        "externallinks": sorted({as_external_link(h.value) for h in URL_INPUTS})
    }
    assert metadata(batch.parsed) == wanted
    for entry, call in zip(URL_INPUTS, batch.calls, strict=True):
        assert call.skeleton() == baseline.calls[0].skeleton(), entry.id
        (link,) = call.find_all("ck-link")
        assert link.text == "link", entry.id
    assert [values["meeting_link"] for values in batch.read_back] == [h.value for h in URL_INPUTS]


# --- any text --------------------------------------------------------------------

FRAGMENTS = [
    "{{", "}}", "[[", "]]", "{{{", "|", "=", "~~~", "~", "__", "_", "://", ":", "<!--", "-->",
    "<nowiki>", "<ref>", "</div>", "'''", "''", "'", '"', "&", "&amp;", "&#124;", ";", "#",
    "*", "!", "-", "----", " ", "\t", "\n", "\r\n", "ISBN ", "RFC ", "tel:", "http://",
    "\u202e", "\u200d", "\u0301", "\u0338", "\u00a0", "«", "»", "{|", "|}", "-{", "}-", "?",
    "__NOTOC__", "[[Category:X]]", "https://evil.example", "<span>", "\n\n", "\n ",
]  # fmt: skip
allowed_char = st.characters(codec="utf-8").filter(lambda c: not is_forbidden(c))
any_text = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), allowed_char), min_size=1, max_size=25
).map("".join)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(st.tuples(any_text, any_text), min_size=6, max_size=6))
def test_property_any_text_reads_back_and_adds_nothing(echo, baseline, pairs):
    batch = []
    for single, multi in pairs:
        one_line = single.replace("\r", "").replace("\n", "") or "x"
        values = dict(BASELINE)
        values.update(dict.fromkeys(SINGLE_LINE_FIELDS, one_line))
        values[MULTILINE_FIELD] = multi
        batch.append(values)
    written = write_batch(echo, batch, through_update=False)
    check_batch(written, baseline, [repr(v) for v in batch])
