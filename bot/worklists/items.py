"""What the wiki knows about each article of a worklist, asked in batches at the API's limit.

One ``action=query`` answers for 500 titles with the bot's high limits (50
without): whether each page exists, the redirect it is (``redirects=1``
resolves it), its size, its latest edit's time, its Wikidata item
(``pageprops``, on wikis with Wikibase), its language link to the other wiki
of a gap, and which of the configured maintenance templates and categories
it has (``tltemplates`` / ``clcategories`` keep those answers small). A list
of 10,000 articles costs 20 requests, not 10,000 (see FACTS.md for what one
request per title costs).

Only a *counted* flag (citation needed) needs the text, and only of the
pages that transclude the template: they are read with the batched
:func:`~campaignkit.wiki.batch.read_texts`.

For a language gap the sources are read on the source wiki; a second
batched query on the target wiki describes the counterparts that exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import mwparserfromhell

from bot.worklists.flags import FlagRule, strip_namespace
from bot.worklists.sources import SourceError, read_failures
from campaignkit.manifest import normalize_template_name
from campaignkit.wiki.batch import batch_size, chunks, query_all, read_texts
from campaignkit.wiki.connection import WikiConnection
from campaignkit.wiki.users import parse_timestamp


@dataclass(frozen=True)
class PageFacts:
    """One page as the wiki describes it."""

    title: str
    exists: bool
    redirect_from: str = ""
    size: int | None = None
    last_edit: datetime | None = None
    wikidata: str = ""
    langlink: str = ""
    flags: frozenset[str] = frozenset()
    counts: dict[str, int] = field(default_factory=dict, compare=False)
    invalid: str = ""
    namespace: int = 0


@dataclass
class Item:
    """One article of a worklist, with everything the table shows but claims and bytes.

    ``title`` is on ``wiki``: the article itself, or for a language gap the
    source article. ``target`` is the page participants edit on the
    worklist's wiki (the counterpart of a gap, when it exists).
    """

    title: str
    wiki: str
    exists: bool
    target: str = ""
    redirect_from: str = ""
    size: int | None = None
    last_edit: datetime | None = None
    counterpart: str = ""
    counterpart_wiki: str = ""
    wikidata: str = ""
    flags: tuple[str, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)
    namespace: int = 0
    unlisted: bool = False  # claimed, but no source lists it: shown apart, never counted

    def has_flag(self, name: str) -> bool:
        """Whether a maintenance flag is set."""
        return name in self.flags


def _merge(into: dict, page: dict) -> None:
    for key, value in page.items():
        if isinstance(value, list) and isinstance(into.get(key), list):
            into[key].extend(value)
        else:
            into[key] = value


def _resolve(title: str, aliases: dict[str, str]) -> str:
    seen = {title}
    while title in aliases and aliases[title] not in seen:
        title = aliases[title]
        seen.add(title)
    return title


def _facts_of(page: dict, asked: str, redirected: bool, rules: Sequence[FlagRule]) -> PageFacts:
    if page.get("invalid"):
        return PageFacts(asked, False, invalid=page.get("invalidreason", "invalid title"))
    title = page["title"]
    redirect_from = asked if redirected else ""
    if page.get("missing"):
        return PageFacts(title, False, redirect_from=redirect_from, namespace=page.get("ns", 0))
    templates = {strip_namespace(t["title"]) for t in page.get("templates", [])}
    categories = {strip_namespace(c["title"]) for c in page.get("categories", [])}
    flags = frozenset(
        rule.name
        for rule in rules
        if templates & set(rule.templates) or categories & set(rule.categories)
    )
    revision = (page.get("revisions") or [{}])[0]
    links = page.get("langlinks") or []
    return PageFacts(
        title=title,
        exists=True,
        redirect_from=redirect_from,
        size=page.get("length"),
        last_edit=parse_timestamp(revision.get("timestamp")),
        wikidata=page.get("pageprops", {}).get("wikibase_item", ""),
        langlink=(links[0].get("title", "") if links else ""),
        flags=flags,
        namespace=page.get("ns", 0),
    )


def page_facts(
    connection: WikiConnection,
    titles: Iterable[str],
    rules: Sequence[FlagRule] = (),
    *,
    langlink_lang: str | None = None,
) -> dict[str, PageFacts]:
    """Facts about many pages, keyed by the title asked for; batched, continuation followed."""
    wanted = list(dict.fromkeys(t for t in titles if t))
    props = ["info", "revisions", "pageprops"]
    params: dict[str, str] = {
        "redirects": "1",
        "rvprop": "timestamp",
        "ppprop": "wikibase_item",
    }
    if langlink_lang:
        props.append("langlinks")
        params |= {"lllang": langlink_lang, "lllimit": "max"}
    template_names = sorted({t for rule in rules for t in rule.templates})
    category_names = sorted({c for rule in rules for c in rule.categories})
    if template_names:
        props.append("templates")
        params |= {"tltemplates": "|".join(f"Template:{t}" for t in template_names)}
        params["tllimit"] = "max"
    if category_names:
        props.append("categories")
        params |= {"clcategories": "|".join(f"Category:{c}" for c in category_names)}
        params["cllimit"] = "max"
    params["prop"] = "|".join(props)
    result: dict[str, PageFacts] = {}
    try:
        for group in chunks(wanted, batch_size(connection)):
            pages: dict[str, dict] = {}
            normalized: dict[str, str] = {}
            redirects: dict[str, str] = {}
            for answer in query_all(connection, titles="|".join(group), **params):
                query = answer.get("query", {})
                normalized.update({n["from"]: n["to"] for n in query.get("normalized", [])})
                redirects.update({r["from"]: r["to"] for r in query.get("redirects", [])})
                for page in query.get("pages", []):
                    _merge(pages.setdefault(page.get("title", ""), {}), page)
            for title in group:
                name = normalized.get(title, title)
                target = _resolve(name, redirects)
                page = pages.get(target) or {"title": title, "invalid": True}
                result[title] = _facts_of(page, name, target != name, rules)
        counted = [rule for rule in rules if rule.count]
        if counted:
            _count_calls(connection, result, counted)
    except read_failures() as error:
        raise SourceError(f"{connection.id}: cannot read the worklist's pages: {error}") from error
    return result


def _redirect_names(connection: WikiConnection, templates: Sequence[str]) -> set[str]:
    """The names of the counted templates and of every redirect to them."""
    names = set(templates)
    for answer in query_all(
        connection,
        titles="|".join(f"Template:{t}" for t in templates),
        prop="redirects",
        rdlimit="max",
    ):
        for page in answer.get("query", {}).get("pages", []):
            names.update(strip_namespace(r["title"]) for r in page.get("redirects", []))
    return names


def count_template_calls(text: str, names: set[str]) -> int:
    """How many times the page calls one of the templates (with any namespace prefix)."""
    count = 0
    for node in mwparserfromhell.parse(text).filter_templates(recursive=True):
        name = normalize_template_name(str(node.name).strip())
        if name in names or strip_namespace(name) in names:
            count += 1
    return count


def _count_calls(
    connection: WikiConnection, facts: dict[str, PageFacts], rules: Sequence[FlagRule]
) -> None:
    for rule in rules:
        flagged = sorted({f.title for f in facts.values() if rule.name in f.flags})
        if not flagged:
            continue
        names = _redirect_names(connection, rule.templates)
        texts = read_texts(connection, flagged)
        counts = {
            title: max(1, count_template_calls(page.text, names)) for title, page in texts.items()
        }
        for page_facts_ in facts.values():
            if page_facts_.title in counts:
                page_facts_.counts[rule.name] = counts[page_facts_.title]


def _ordered_flags(facts: PageFacts, rules: Sequence[FlagRule]) -> tuple[str, ...]:
    return tuple(rule.name for rule in rules if rule.name in facts.flags)


@dataclass
class ItemListing:
    """The items of a worklist and what could not be listed (titles that are not pages)."""

    items: list[Item] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def describe_items(
    connection: WikiConnection,
    titles: Sequence[str],
    rules: Sequence[FlagRule],
) -> ItemListing:
    """Items of a worklist whose articles are on this wiki; redirects become their target."""
    listing = ItemListing()
    seen: set[str] = set()
    facts = page_facts(connection, titles, rules)
    listed_directly = {f.title for f in facts.values() if not f.redirect_from}
    for title in titles:
        page = facts[title]
        if page.invalid:
            listing.notes.append(
                f"{connection.id}: {title!r} is not a valid title ({page.invalid})"
            )
            continue
        if page.title in seen:
            continue
        seen.add(page.title)
        listing.items.append(
            Item(
                title=page.title,
                wiki=connection.id,
                exists=page.exists,
                target=page.title,
                redirect_from="" if page.title in listed_directly else page.redirect_from,
                size=page.size,
                last_edit=page.last_edit,
                wikidata=page.wikidata,
                flags=_ordered_flags(page, rules),
                counts=dict(page.counts),
                namespace=page.namespace,
            )
        )
    return listing


def describe_gap_items(
    source: WikiConnection,
    target: WikiConnection,
    titles: Sequence[str],
    target_lang: str,
    rules: Sequence[FlagRule],
) -> ItemListing:
    """Items of a language gap: source articles, each with its counterpart on the target wiki.

    An item ``exists`` when the source article links to a page in the target
    language and that page exists on the target wiki; size, last edit and
    flags are then the counterpart's, since that is where participants work.
    """
    listing = ItemListing()
    facts = page_facts(source, titles, (), langlink_lang=target_lang)
    seen: set[str] = set()
    kept: list[PageFacts] = []
    for title in titles:
        page = facts[title]
        if page.invalid or not page.exists:
            why = page.invalid or "it does not exist there"
            listing.notes.append(f"{source.id}: {title!r} is left out: {why}")
            continue
        if page.title not in seen:
            seen.add(page.title)
            kept.append(page)
    counterparts = page_facts(target, [p.langlink for p in kept if p.langlink], rules)
    for page in kept:
        other = counterparts.get(page.langlink) if page.langlink else None
        exists = other is not None and other.exists
        listing.items.append(
            Item(
                title=page.title,
                wiki=source.id,
                exists=exists,
                target=other.title if exists else "",
                redirect_from=page.redirect_from,
                size=other.size if exists else None,
                last_edit=other.last_edit if exists else None,
                counterpart=(other.title if other is not None and not other.invalid else ""),
                counterpart_wiki=target.id,
                wikidata=page.wikidata,
                flags=_ordered_flags(other, rules) if exists else (),
                counts=dict(other.counts) if exists else {},
                namespace=page.namespace,
            )
        )
    return listing
