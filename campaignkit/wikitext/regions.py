"""Bot-owned regions: the only parts of a human-owned page that the bot writes.

A region is delimited by two HTML comments, each written on a line of its own::

    <!-- campaignkit:begin participants -->
    …what the bot wrote…
    <!-- campaignkit:end participants -->

The id (``participants``) is a letter or digit followed by letters, digits,
``_``, ``.`` or ``-``; the ids in use are :data:`campaignkit.contract.REGIONS`.
Reading is tolerant of hand-edited spacing and case inside the comment
(``<!--campaignkit:BEGIN participants-->``); writing always uses the form above.
The region's content is what lies between the two markers without the one
newline after the begin marker and the one before the end marker.

Markers count only where MediaWiki would see a comment: not inside
``<nowiki>``, ``<pre>`` and other literal tags, and not inside another comment.
A comment that starts with ``campaignkit:`` but is not a well-formed marker is
an error, as is a missing, repeated, nested or crossed marker: a broken region
stops the bot on that page with a :class:`RegionError` naming the page and the
region, because guessing where human text ends is how human text gets lost.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

import mwparserfromhell
from mwparserfromhell.definitions import PARSER_BLACKLIST
from mwparserfromhell.nodes import Comment, Text

from campaignkit.contract import TABLE_FRAMES
from campaignkit.manifest import normalize_template_name

REGION_ID = r"[A-Za-z0-9][A-Za-z0-9_.-]*"
_REGION_ID = re.compile(rf"\A{REGION_ID}\Z")
_LITERAL_TAGS = "|".join(sorted({"nowiki", *PARSER_BLACKLIST}))
_HIDDEN = re.compile(
    rf"<!--(?P<comment>.*?)(?P<close>-->|\Z)"
    rf"|<(?P<tag>{_LITERAL_TAGS})(?:\s[^>]*)?(?<!/)>.*?</(?P=tag)\s*>",
    re.DOTALL | re.IGNORECASE,
)
_MARKER_PREFIX = re.compile(r"\A\s*campaignkit\s*:", re.IGNORECASE)
_MARKER = re.compile(rf"\A\s*campaignkit:(begin|end)\s+({REGION_ID})\s*\Z", re.IGNORECASE)
PLACEHOLDER_ENGLISH = TABLE_FRAMES["campaign_bot_region"]


class RegionError(Exception):
    """A bot region is missing or its markers are broken; the page is left alone."""

    def __init__(self, page: str, region_id: str, problem: str) -> None:
        where = f'Page "{page}"' if page else "The page"
        super().__init__(f'{where}, bot region "{region_id}": {problem}')
        self.page = page
        self.region_id = region_id
        self.problem = problem


def begin_marker(region_id: str) -> str:
    """The comment that opens a region."""
    return f"<!-- campaignkit:begin {region_id} -->"


def end_marker(region_id: str) -> str:
    """The comment that closes a region."""
    return f"<!-- campaignkit:end {region_id} -->"


def render_region(region_id: str, content: str) -> str:
    """A whole region, markers included, as the bot writes it."""
    if not _REGION_ID.match(region_id):
        raise RegionError("", region_id, "is not a valid region id (letters, digits, _ . -)")
    return f"{begin_marker(region_id)}\n{content}\n{end_marker(region_id)}"


def hidden_spans(text: str) -> list[tuple[int, int]]:
    """Where MediaWiki shows no wikitext: comments and literal tags such as ``<nowiki>``."""
    return [match.span() for match in _HIDDEN.finditer(text)]


def unclosed_comment_start(text: str) -> int | None:
    """Where an unclosed ``<!--`` hides the rest of the page, if one does."""
    for match in _HIDDEN.finditer(text):
        if match.group("comment") is not None and not match.group("close"):
            return match.start()
    return None


@dataclass(frozen=True)
class Marker:
    """One begin or end marker found on a page."""

    kind: str  # "begin" or "end"
    region_id: str
    start: int
    end: int


@dataclass(frozen=True)
class Region:
    """One well-formed region: offsets of its markers in the page text."""

    region_id: str
    begin: Marker
    end: Marker

    @property
    def start(self) -> int:
        """Offset of the begin marker's ``<``."""
        return self.begin.start

    @property
    def stop(self) -> int:
        """Offset just after the end marker's ``>``."""
        return self.end.end

    def content(self, text: str) -> str:
        """What lies between the markers, without the framing newlines."""
        inner = text[self.begin.end : self.end.start]
        inner = inner.removeprefix("\n")
        return inner.removesuffix("\n")


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def find_markers(text: str, page: str = "") -> list[Marker]:
    """Every region marker MediaWiki would see, in page order."""
    markers = []
    for match in _HIDDEN.finditer(text):
        comment = match.group("comment")
        if comment is None or not _MARKER_PREFIX.match(comment):
            continue
        parsed = _MARKER.match(comment) if match.group("close") else None
        if parsed is None:
            raise RegionError(
                page,
                comment.strip()[:60],
                f"malformed marker on line {_line(text, match.start())}: "
                f"expected {begin_marker('ID')} or {end_marker('ID')}",
            )
        kind, region_id = parsed.group(1).lower(), parsed.group(2)
        markers.append(Marker(kind, region_id, match.start(), match.end()))
    return markers


def find_regions(text: str, page: str = "") -> dict[str, Region]:
    """All regions of a page, by id; raises :class:`RegionError` on any broken marker."""
    regions: dict[str, Region] = {}
    begins = {}
    opened: Marker | None = None
    markers = find_markers(text, page)
    for index, marker in enumerate(markers):
        line = _line(text, marker.start)
        rid = marker.region_id
        if marker.kind == "begin":
            if opened is not None:
                problem = (
                    f"begin marker repeated on line {line}"
                    if opened.region_id == rid
                    else f'begins on line {line} inside region "{opened.region_id}" '
                    f"(line {_line(text, opened.start)}); regions cannot nest"
                )
                raise RegionError(page, rid, problem)
            if rid in regions:
                raise RegionError(page, rid, f"appears a second time on line {line}")
            opened = marker
            begins[rid] = marker
            continue
        if opened is None:
            later = any(m.kind == "begin" and m.region_id == rid for m in markers[index:])
            if rid in regions:
                problem = f"end marker repeated on line {line}"
            elif later:
                problem = f"end marker on line {line} comes before the begin marker"
            else:
                problem = f"end marker on line {line} has no begin marker"
            raise RegionError(page, rid, problem)
        if opened.region_id != rid:
            raise RegionError(
                page,
                rid,
                f'end marker on line {line} is inside region "{opened.region_id}" '
                f"(begun on line {_line(text, opened.start)}); regions cannot overlap",
            )
        regions[rid] = Region(rid, opened, marker)
        opened = None
    if opened is not None:
        raise RegionError(
            page,
            opened.region_id,
            f"begin marker on line {_line(text, opened.start)} has no end marker "
            f"({end_marker(opened.region_id)})",
        )
    return regions


def find_region(text: str, region_id: str, page: str = "") -> Region | None:
    """One region, or None if the page does not have it."""
    return find_regions(text, page).get(region_id)


def has_region(text: str, region_id: str, page: str = "") -> bool:
    """Whether the page has this region (raises if any marker is broken)."""
    return find_region(text, region_id, page) is not None


def region_content(text: str, region_id: str, page: str = "") -> str:
    """What the bot last wrote into a region."""
    region = find_region(text, region_id, page)
    if region is None:
        raise RegionError(page, region_id, "is not on the page")
    return region.content(text)


def _check_content(content: str, region_id: str, page: str) -> None:
    for match in _HIDDEN.finditer(content):
        comment = match.group("comment")
        if comment is not None and (_MARKER_PREFIX.match(comment) or not match.group("close")):
            raise RegionError(
                page,
                region_id,
                "the new content holds a region marker or an unclosed comment; nothing was written",
            )


def _verify(result: str, region_id: str, content: str, page: str, ids: set[str]) -> None:
    """Prove the result has the same regions and the new content, before anyone saves it."""
    try:
        regions = find_regions(result, page)
    except RegionError as error:
        raise RegionError(
            page,
            region_id,
            f"the new content would break the region markers ({error.problem}); "
            "nothing was written",
        ) from error
    if set(regions) != ids or regions[region_id].content(result) != content:
        raise RegionError(
            page, region_id, "the new content would break the region markers; nothing was written"
        )


def replace_region(text: str, region_id: str, new_content: str, page: str = "") -> str:
    """Replace one region's content; every byte outside it stays as it was."""
    regions = find_regions(text, page)
    region = regions.get(region_id)
    if region is None:
        raise RegionError(page, region_id, "is not on the page; add it with insert_region")
    _check_content(new_content, region_id, page)
    result = text[: region.begin.end] + "\n" + new_content + "\n" + text[region.end.start :]
    _verify(result, region_id, new_content, page, set(regions))
    return result


def _placeholder_span(
    text: str, region_id: str, page: str, placeholder_names: Iterable[str]
) -> tuple[int, int] | None:
    """Offsets of the organizer's ``{{Campaign bot region|ID}}``, if there is one."""
    names = {normalize_template_name(n) for n in (*placeholder_names, PLACEHOLDER_ENGLISH)}
    hidden = unclosed_comment_start(text)
    visible = text if hidden is None else text[:hidden]
    code = mwparserfromhell.parse(visible, skip_style_tags=True)
    found = []
    for node in code.filter_templates(recursive=True):
        name = "".join(str(n) for n in node.name.nodes if not isinstance(n, Comment))
        if normalize_template_name(name) not in names or not node.has("1"):
            continue
        if str(node.get("1").value).strip() == region_id:
            found.append(node)
    if not found:
        return None
    if len(found) > 1:
        raise RegionError(
            page, region_id, f"{len(found)} placeholders {{{{{PLACEHOLDER_ENGLISH}|{region_id}}}}}"
        )
    node = found[0]
    sentinel = f"campaignkit-placeholder-{uuid.uuid4().hex}"
    original = str(node)
    code.replace(node, Text(sentinel))
    start = str(code).index(sentinel)
    return start, start + len(original)


def insert_region(
    text: str,
    region_id: str,
    content: str,
    page: str = "",
    placeholder_names: Iterable[str] = (),
) -> str:
    """Add a region below the organizer's placeholder, else at the end of the page.

    The placeholder template stays (it is human text); the region goes on the
    lines after it. Without a placeholder the region is appended after a blank
    line. Nothing that was on the page changes.
    """
    regions = find_regions(text, page)
    if region_id in regions:
        raise RegionError(page, region_id, "is already on the page; use replace_region")
    _check_content(content, region_id, page)
    block = render_region(region_id, content)
    span = _placeholder_span(text, region_id, page, placeholder_names)
    if span is not None:
        after = text[span[1] :]
        tail = "" if not after or after.startswith("\n") else "\n"
        result = text[: span[1]] + "\n" + block + tail + after
    elif not text:
        result = block
    else:
        separator = "" if text.endswith("\n\n") else "\n" if text.endswith("\n") else "\n\n"
        result = text + separator + block
    _verify(result, region_id, content, page, {*regions, region_id})
    return result


def put_region(
    text: str,
    region_id: str,
    content: str,
    page: str = "",
    placeholder_names: Iterable[str] = (),
) -> str:
    """The page with the region holding ``content``: replaced where it is, inserted where not.

    Every bot table is written this way (a first run inserts, later runs
    replace), so the choice is made here once; both ways raise
    :class:`RegionError` for a page whose markers are broken.
    """
    if find_region(text, region_id, page) is None:
        return insert_region(text, region_id, content, page, placeholder_names)
    return replace_region(text, region_id, content, page)


def strip_regions(text: str, page: str = "") -> str:
    """The human-owned text: the page without any bot region (markers included).

    The bot reads sign-ups from this, so that its own participant table never
    counts as people signing up.
    """
    pieces = []
    position = 0
    for region in sorted(find_regions(text, page).values(), key=lambda r: r.start):
        pieces.append(text[position : region.start])
        position = region.stop
    pieces.append(text[position:])
    return "".join(pieces)
