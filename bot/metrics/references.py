"""References added: how many references each participant's article edit added.

A reference is what the wiki's manifest says (:class:`campaignkit.manifest.ReferenceRules`):
every ``<ref>`` with content (``<ref>…</ref>``, ``<ref name="a">…</ref>``,
``{{#tag:ref|…}}``; the reuse ``<ref name="a" />`` cites nothing new) and every
call of a short-citation template such as ``{{sfn}}``, outside comments,
``<nowiki>`` and ``<pre>``. An edit adds ``max(0, references in the revision −
references in its parent)``, as the Dashboard counts against the parent
revision; a new article's parent is empty, so it counts all its references.
Moving a reference, or rewording one, adds nothing; removing two and adding one
counts 0, never −1.

Counting needs the revisions' text, which only the Action API gives (the Wiki
Replicas hold no text), so both metrics sources use :class:`RevisionTexts`:
``prop=revisions&revids=…`` with 50 revision ids per request (500 with the bot's
``apihighlimits``), following ``continue`` when MediaWiki cuts a long answer
short. A revision's figure never changes once counted, so it is remembered in
the tool's database (``metrics_revision_references``) and an hourly run reads
only the texts of revisions it has not counted yet.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import Any

from sqlalchemy import BigInteger, Column, Integer, String, Table, UniqueConstraint, select

from bot.metrics.definitions import Contribution, SourceError
from campaignkit.database import engine_for, metadata
from campaignkit.manifest import ReferenceRules
from campaignkit.wiki.batch import batch_size, chunks, query_all
from campaignkit.wiki.connection import WikiConnection
from campaignkit.wiki.errors import WikiError

revision_references = Table(
    "metrics_revision_references",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("wiki", String(64), nullable=False),
    Column("revid", BigInteger, nullable=False),
    Column("added", Integer, nullable=False),
    UniqueConstraint("wiki", "revid", name="uq_metrics_revision_references"),
)

DEFAULT_RULES = ReferenceRules()
_HIDDEN = re.compile(
    r"<!--.*?(?:-->|\Z)|<(nowiki|pre)\b[^>]*?(?<!/)>.*?(?:</\1\s*>|\Z)",
    re.IGNORECASE | re.DOTALL,
)


@cache
def _patterns(rules: ReferenceRules) -> tuple[re.Pattern[str], ...]:
    """The expressions that each find one reference, built once per set of rules."""
    found = []
    for tag in rules.tags:
        name = re.escape(tag)
        # An opening tag that is not self-closing: <ref>, <ref name="a">, not <ref name="a"/>.
        found.append(re.compile(rf"<{name}(?:\s[^<>]*?)?(?<!/)>", re.IGNORECASE))
        found.append(re.compile(rf"\{{\{{\s*#tag\s*:\s*{name}\s*\|", re.IGNORECASE))
    for template in rules.templates:
        first, rest = template[:1], re.escape(template[1:]).replace(r"\ ", "[ _]+")
        head = f"[{re.escape(first.upper())}{re.escape(first.lower())}]" if first else ""
        found.append(re.compile(rf"\{{\{{\s*(?:[Tt]emplate\s*:\s*)?{head}{rest}\s*(?:\||\}}\}})"))
    return tuple(found)


def count_references(text: str, rules: ReferenceRules = DEFAULT_RULES) -> int:
    """How many references a wikitext holds, by the wiki's rules."""
    visible = _HIDDEN.sub("", text)
    return sum(len(pattern.findall(visible)) for pattern in _patterns(rules))


def references_added(
    contributions: Iterable[Contribution],
    texts: dict[int, str | None],
    rules: ReferenceRules = DEFAULT_RULES,
) -> dict[int, int]:
    """Revision id -> references it added (0 or more), for main-namespace revisions.

    ``texts`` maps revision ids (the revisions and their parents) to their text,
    ``None`` for a text that cannot be read (deleted or suppressed): such a
    revision counts 0 rather than a guess.
    """
    counted: dict[int, int] = {}
    counts: dict[int, int] = {}

    def references_in(revid: int) -> int | None:
        if revid not in counts:
            text = texts.get(revid)
            if text is None:
                return None
            counts[revid] = count_references(text, rules)
        return counts[revid]

    for c in contributions:
        if not c.in_main_namespace:
            continue
        now = references_in(c.revid)
        before = 0 if c.new_page or not c.parent_id else references_in(c.parent_id)
        counted[c.revid] = 0 if now is None or before is None else max(now - before, 0)
    return counted


def texts_needed(contributions: Iterable[Contribution]) -> list[int]:
    """The revisions whose text counting needs: each main-namespace revision and its parent."""
    wanted: dict[int, None] = {}
    for c in contributions:
        if c.in_main_namespace:
            wanted[c.revid] = None
            if c.parent_id and not c.new_page:
                wanted[c.parent_id] = None
    return list(wanted)


class RevisionTexts:
    """Reads revision texts through the Action API, as many per request as the API allows."""

    def __init__(self, connection: WikiConnection, per_request: int | None = None) -> None:
        self.connection = connection
        self.per_request = per_request  # None: the API's limit for this account (50 or 500)
        self.requests = 0

    def read(self, revids: Iterable[int]) -> dict[int, str | None]:
        """Revision id -> its main slot's text, ``None`` when hidden or gone."""
        wanted = sorted(set(revids))
        found: dict[int, str | None] = {revid: None for revid in wanted}
        size = self.per_request or batch_size(self.connection)
        try:
            for group in chunks([str(r) for r in wanted], size):
                for answer in query_all(
                    self.connection,
                    prop="revisions",
                    revids="|".join(group),
                    rvprop="ids|content",
                    rvslots="main",
                ):
                    self.requests += 1
                    for page in answer.get("query", {}).get("pages", []):
                        for revision in page.get("revisions", []):
                            found[int(revision["revid"])] = _content(revision)
        except WikiError as error:
            raise SourceError(f"{self.connection.id}: {error}") from error
        except Exception as error:  # pywikibot's APIError and network errors
            raise SourceError(
                f"{self.connection.id}: reading revision texts failed: {error}"
            ) from error
        return found


def _content(revision: dict[str, Any]) -> str | None:
    main = revision.get("slots", {}).get("main", {})
    if main.get("texthidden") or main.get("textmissing") or "content" not in main:
        return None
    return str(main["content"])


class ReferenceCounter:
    """References added per revision: remembered ones from the database, others counted now."""

    def __init__(self, database_url: str | None) -> None:
        self.engine = engine_for(database_url) if database_url else None
        self.texts_read = 0
        self.requests = 0

    def _remembered(self, wiki: str, revids: list[int]) -> dict[int, int]:
        if self.engine is None or not revids:
            return {}
        c = revision_references.c
        found: dict[int, int] = {}
        with self.engine.connect() as connection:
            for start in range(0, len(revids), 500):
                group = revids[start : start + 500]
                query = select(c.revid, c.added).where(c.wiki == wiki, c.revid.in_(group))
                found.update({int(r): int(a) for r, a in connection.execute(query)})
        return found

    def _remember(self, wiki: str, values: dict[int, int]) -> None:
        if self.engine is None or not values:
            return
        rows = [{"wiki": wiki, "revid": r, "added": a} for r, a in values.items()]
        with self.engine.begin() as connection:
            known = self._remembered(wiki, list(values))
            fresh = [row for row in rows if row["revid"] not in known]
            if fresh:
                connection.execute(revision_references.insert(), fresh)

    def added(
        self,
        connection: WikiConnection,
        contributions: list[Contribution],
        rules: ReferenceRules,
    ) -> dict[int, int]:
        """Revision id -> references added, for the main-namespace contributions."""
        wiki = connection.id
        main = [c for c in contributions if c.in_main_namespace]
        known = self._remembered(wiki, [c.revid for c in main])
        todo = [c for c in main if c.revid not in known]
        if todo:
            reader = RevisionTexts(connection)
            texts = reader.read(texts_needed(todo))
            self.texts_read += len(texts)
            self.requests += reader.requests
            fresh = references_added(todo, texts, rules)
            # A text that could not be read may be readable later: do not remember a 0 for it.
            readable = {
                c.revid: fresh[c.revid]
                for c in todo
                if texts.get(c.revid) is not None
                and (c.new_page or not c.parent_id or texts.get(c.parent_id) is not None)
            }
            self._remember(wiki, readable)
            known.update(fresh)
        return known
