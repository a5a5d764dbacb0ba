"""Listing a worklist's titles from its sources: titles, categories, links; minus some.

Every source is read with the API's largest page of results (``cmlimit`` and
``pllimit`` at ``max``: 5,000 for a bot) and its continuation followed. A
category tree is walked breadth first, each category once (category loops
exist on real wikis), down to the depth the organizer gave and never past
:data:`MAX_CATEGORIES` categories or :data:`MAX_ITEMS` pages: the cap is
reported, not silently applied.

Each source is listed on its own. One that cannot be read (:class:`SourceError`,
with a message that names it) or that gives no page is recorded in
:attr:`SourceListing.failed` / :attr:`SourceListing.empty` and the others go
on, so that the caller keeps the last rows of that source instead of
publishing a shorter list. A category that does not exist, or a "links from"
page that does not exist, is such a failure: it is almost always a typo, and
treating it as "no pages" would shrink the list.

Exclusions (``minus_category``, ``minus_titles``) are not applied here: the
titles they name are returned in :attr:`SourceListing.excluded`, to be taken
out once redirects are resolved (a redirect to an excluded article must not
bring it back).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.worklists.definition import WorklistDefinition
from campaignkit.validation import MAX_TITLES
from campaignkit.wiki.batch import batch_size, query_all
from campaignkit.wiki.connection import WikiConnection
from campaignkit.wiki.errors import WikiError

MAX_ITEMS = MAX_TITLES
MAX_CATEGORIES = 2_000
CATEGORY_NAMESPACE = 14
ARTICLE_NAMESPACE = 0


class SourceError(Exception):
    """A source of a worklist cannot be read; the message names the source and the wiki."""


def read_failures() -> tuple[type[Exception], ...]:
    """What a failed API read raises: our typed errors and pywikibot's APIError.

    pywikibot is imported on first use (after the farm configured it), not
    when this module is imported.
    """
    from pywikibot.exceptions import APIError

    return (WikiError, APIError)


def normalize_title(title: str) -> str:
    """A title as MediaWiki stores it on a wiki with capital first letters (the default)."""
    text = " ".join(title.replace("_", " ").split()).removeprefix(":").strip()
    if not text:
        return text
    first = text[0].upper()
    return (first if len(first) == 1 else text[0]) + text[1:]


@dataclass
class SourceListing:
    """The titles a worklist's sources gave, in source order, and notes about them."""

    titles: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    categories_read: int = 0
    failed: list[str] = field(default_factory=list)  # "<source>: <why>", per failed source
    empty: list[str] = field(default_factory=list)  # sources that gave no page
    excluded: set[str] = field(default_factory=set)  # titles to take out, as written

    @property
    def incomplete(self) -> list[str]:
        """Every source whose pages are not all here, with why, for the run's report."""
        return [*self.failed, *(f"{source}: gave no page" for source in self.empty)]

    def add(self, titles: Iterable[str]) -> None:
        """Append titles not listed yet."""
        seen = set(self.titles)
        for title in titles:
            if title not in seen:
                seen.add(title)
                self.titles.append(title)


def _category_prefixes(connection: WikiConnection) -> set[str]:
    """Every name of the category namespace on this wiki, case-folded."""
    names = {"category"}
    try:
        namespace = connection.site.namespaces[CATEGORY_NAMESPACE]
        names.update(
            n.casefold()
            for n in (namespace.custom_name, namespace.canonical_name, *namespace.aliases)
            if n
        )
    except Exception:  # siteinfo unavailable: the canonical name still works
        pass
    return names


def category_title(connection: WikiConnection, name: str) -> str:
    """``Climate change``, ``Category:Climate change`` or ``Ẹ̀ka:…`` as a category title."""
    name = normalize_title(name)
    prefix, colon, rest = name.partition(":")
    if colon and prefix.strip().casefold() in _category_prefixes(connection):
        return f"Category:{normalize_title(rest)}"
    return f"Category:{name}"


def _page_exists(connection: WikiConnection, title: str) -> bool:
    try:
        answer = connection.api(action="query", titles=title, prop="info", formatversion="2")
    except read_failures() as error:
        raise SourceError(f"{connection.id}: cannot read {title}: {error}") from error
    pages = answer.get("query", {}).get("pages", [])
    return bool(pages) and not pages[0].get("missing") and not pages[0].get("invalid")


def _limit(connection: WikiConnection) -> str:
    return "max" if batch_size(connection) > 50 else "500"


def category_pages(
    connection: WikiConnection,
    category: str,
    depth: int,
    *,
    max_pages: int = MAX_ITEMS,
    max_categories: int = MAX_CATEGORIES,
) -> SourceListing:
    """Articles in a category and its subcategories down to ``depth``; each category once."""
    listing = SourceListing()
    start = category_title(connection, category)
    queue: deque[tuple[str, int]] = deque([(start, 0)])
    visited = {start}
    pages: list[str] = []
    capped = False
    while queue and not capped:
        title, level = queue.popleft()
        listing.categories_read += 1
        try:
            for answer in query_all(
                connection,
                list="categorymembers",
                cmtitle=title,
                cmprop="title|type",
                cmtype="page|subcat",
                cmlimit=_limit(connection),
            ):
                for member in answer.get("query", {}).get("categorymembers", []):
                    if member.get("type") != "subcat":
                        if member.get("ns") == ARTICLE_NAMESPACE:
                            pages.append(member["title"])
                        continue
                    sub = member["title"]
                    if level >= depth or sub in visited:
                        continue
                    if len(visited) >= max_categories:
                        capped = True
                        listing.notes.append(
                            f"{category}: stopped after {max_categories} categories (the cap)"
                        )
                        break
                    visited.add(sub)
                    queue.append((sub, level + 1))
                if len(pages) > max_pages:
                    capped = True
                    listing.notes.append(f"{category}: stopped at {max_pages} pages (the cap)")
                if capped:
                    break
        except read_failures() as error:
            raise SourceError(f"{connection.id}: cannot read {title}: {error}") from error
    if not pages and listing.categories_read == 1 and not _page_exists(connection, start):
        raise SourceError(f"{connection.id}: {start} does not exist and has no pages")
    listing.add(pages[:max_pages])
    return listing


def linked_pages(connection: WikiConnection, title: str) -> list[str]:
    """The articles one page links to (a redirect is followed to its target)."""
    found: list[str] = []
    exists = False
    try:
        for answer in query_all(
            connection,
            titles=title,
            prop="links",
            plnamespace=str(ARTICLE_NAMESPACE),
            pllimit=_limit(connection),
            redirects="1",
        ):
            for page in answer.get("query", {}).get("pages", []):
                exists = exists or not (page.get("missing") or page.get("invalid"))
                found.extend(link["title"] for link in page.get("links", []))
    except read_failures() as error:
        raise SourceError(f"{connection.id}: cannot read the links of {title}: {error}") from error
    if not exists:
        raise SourceError(f"{connection.id}: the page {title} (links from) does not exist")
    return list(dict.fromkeys(found))


def list_titles(connection: WikiConnection, definition: WorklistDefinition) -> SourceListing:
    """Every title of the worklist's sources on the listing wiki, source by source.

    The exclusions are returned apart (see the module's docstring); a
    ``minus_category`` that cannot be read raises :class:`SourceError`, since
    without it the list would grow by articles the organizer took out.
    """
    listing = SourceListing()
    listing.add(normalize_title(t) for t in definition.titles)
    for source in definition.categories:
        name = f"category {source.title}" + (f" (depth {source.depth})" if source.depth else "")
        try:
            pages = category_pages(connection, source.title, source.depth)
        except SourceError as error:
            listing.failed.append(f"{name}: {error}")
            continue
        listing.notes += pages.notes
        listing.categories_read += pages.categories_read
        if not pages.titles:
            listing.empty.append(name)
        listing.add(pages.titles)
    for title in definition.links_from:
        name = f"links from {title}"
        try:
            linked = linked_pages(connection, title)
        except SourceError as error:
            listing.failed.append(f"{name}: {error}")
            continue
        if not linked:
            listing.empty.append(name)
        listing.add(linked)
    listing.excluded = {normalize_title(t) for t in definition.minus_titles}
    for category in definition.minus_categories:
        listing.excluded.update(category_pages(connection, category, 0).titles)
    if len(listing.titles) > MAX_ITEMS:
        listing.notes.append(f"listed the first {MAX_ITEMS} of {len(listing.titles)} pages (cap)")
        listing.titles = listing.titles[:MAX_ITEMS]
    return listing
