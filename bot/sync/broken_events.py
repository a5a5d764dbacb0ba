"""Event pages that MediaWiki does not count: a ``{{Campaign event|`` that is never closed.

An organizer who copies an event page and loses the closing ``}}`` gets a
page that MediaWiki shows as plain text: it is no transclusion, so
``embeddedin`` never lists it, the bot never reads it, and the event is on
no campaign's table — with no message anywhere. Such pages cannot be found by
their template, so they are looked for where they usually are:

- pages that link to a campaign page (on the hub ``prop=linkshere``, batched
  over many campaigns; on other wikis ``list=iwbacklinks`` through the hub's
  interwiki prefixes ``m:`` and ``meta:``);
- subpages of a campaign page (``list=allpages`` with the campaign's title
  as prefix, one request per campaign);
- and any page a run was asked for by name that is not an event page.

Their text is read in batches, and a page whose text starts the template
(any of its names on that wiki, ``Template:`` or not) without a call that
MediaWiki would expand is reported with the line. Comments, ``<nowiki>`` and
``<pre>`` are skipped: a documentation example is not a broken event.

This costs requests per campaign, so the sync does it on ``--full`` runs
(nightly) and for the campaigns and pages a run was asked for, not on every
scheduled run.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from campaignkit.manifest import LocalTemplate
from campaignkit.wiki.batch import PageText, batch_size, chunks, query_all, read_texts
from campaignkit.wiki.connection import WikiConnection
from campaignkit.wikitext.templates import find_calls

HUB_PREFIXES = ("m", "meta")  # the interwiki prefixes of the hub, as event pages use them
_HIDDEN = re.compile(
    r"<!--.*?(?:-->|\Z)|<nowiki\b[^>]*>.*?(?:</nowiki>|\Z)|<pre\b[^>]*>.*?(?:</pre>|\Z)",
    re.DOTALL | re.IGNORECASE,
)
_OPENING = re.compile(r"\{\{\s*([^{}|\n]+?)\s*(?=\||\}|\n|\Z)")


@dataclass(frozen=True)
class BrokenEvent:
    """A page whose text starts the event template without a call MediaWiki would expand."""

    wiki: str
    title: str
    line: int
    template: str

    def __str__(self) -> str:
        """One line naming the page, the template and where the problem is."""
        return (
            f'Page "{self.title}" on {self.wiki}, template {{{{{self.template}}}}}, line '
            f"{self.line}: the template is not closed with }}}} (or is broken), so MediaWiki "
            "shows it as text and the event is on no campaign's table"
        )


def _blanked(text: str) -> str:
    """The text with comments, nowiki and pre replaced by spaces (line numbers kept)."""
    return _HIDDEN.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def broken_line(text: str, local: LocalTemplate) -> int | None:
    """The line where the text opens the template without a working call, else None."""
    if find_calls(text, local):
        return None  # a working call: the page is an event page (or a listing will show it)
    visible = _blanked(text)
    for match in _OPENING.finditer(visible):
        name = match.group(1).split(":")[-1]  # Template:, a local namespace name, or none
        if local.matches(name):
            return visible.count("\n", 0, match.start()) + 1
    return None


def find_broken(
    connection: WikiConnection, pages: Iterable[PageText], local: LocalTemplate
) -> list[BrokenEvent]:
    """The pages among these whose event template is broken."""
    found = []
    for page in pages:
        line = broken_line(page.text, local) if page.exists else None
        if line is not None:
            found.append(BrokenEvent(connection.id, page.title, line, local.name))
    return found


def _limit(connection: WikiConnection) -> str:
    return "max" if batch_size(connection) > 50 else "500"


def linking_to_campaigns(hub: WikiConnection, campaigns: Collection[str]) -> set[str]:
    """Pages of the hub that link to one of these campaign pages (batched ``linkshere``)."""
    found: set[str] = set()
    for group in chunks(sorted(campaigns), batch_size(hub)):
        for answer in query_all(
            hub, titles="|".join(group), prop="linkshere", lhprop="title", lhlimit=_limit(hub)
        ):
            for page in answer.get("query", {}).get("pages", []):
                found.update(link["title"] for link in page.get("linkshere", []))
    return found


def subpages_of(hub: WikiConnection, campaigns: Collection[str]) -> set[str]:
    """Subpages of these campaign pages on the hub (their data pages included)."""
    found: set[str] = set()
    namespaces = {ns.id: ns for ns in hub.site.namespaces.values()} if campaigns else {}
    for title in sorted(campaigns):
        namespace, name = 0, title
        prefix, colon, rest = title.partition(":")
        for number, ns in namespaces.items():
            if colon and number != 0 and prefix in (ns.custom_name, ns.canonical_name):
                namespace, name = number, rest
        for answer in query_all(
            hub,
            list="allpages",
            apprefix=f"{name}/",
            apnamespace=str(namespace),
            aplimit=_limit(hub),
        ):
            found.update(p["title"] for p in answer.get("query", {}).get("allpages", []))
    return found


def linking_from_elsewhere(connection: WikiConnection, campaigns: Collection[str]) -> set[str]:
    """Pages of another wiki that link to these campaign pages as ``m:Title`` / ``meta:Title``."""
    wanted = {title.replace("_", " ") for title in campaigns}
    found: set[str] = set()
    for prefix in HUB_PREFIXES:
        for answer in query_all(
            connection,
            list="iwbacklinks",
            iwblprefix=prefix,
            iwblprop="iwtitle",
            iwbllimit=_limit(connection),
        ):
            for link in answer.get("query", {}).get("iwbacklinks", []):
                if link.get("iwtitle", "").replace("_", " ") in wanted:
                    found.add(link["title"])
    return found


def read_candidates(
    connection: WikiConnection, titles: Collection[str], local: LocalTemplate
) -> list[BrokenEvent]:
    """Read these pages in batches and report those whose event template is broken."""
    if not titles:
        return []
    return find_broken(connection, read_texts(connection, sorted(titles)).values(), local)
