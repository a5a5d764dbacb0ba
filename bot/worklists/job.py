"""Refreshing every worklist: the part of ``campaignkit sync`` that keeps worklist tables.

A worklist page is any page that transcludes ``{{Worklist}}`` (under its
local name or the English one) on any configured wiki, plus the pages that
events name in ``worklist=``. For each one, in this order:

1. read its boxes (:mod:`.definition`); a bad box is reported with the page
   and field, and that worklist's table is left as it is;
2. list the titles (:mod:`.sources`), source by source, and describe them in
   batches (:mod:`.items`); a source that fails, or that comes back empty,
   keeps its rows of the last table (the rows no other source lists) and is
   reported by name — an emptied or shrunk list is the list bots' worst bug;
   when no source gives anything, the whole last table stays. Exclusions are
   applied after redirects are resolved;
3. sum the bytes that the participants of the events naming this worklist
   added during their windows (:mod:`.progress`);
4. write the table into the ``worklist`` region through
   :func:`~campaignkit.wiki.editing.apply_edit`. The claims and the previous
   rows are read inside the transform from the page's *current* text, so a
   claim saved while the bot worked is in the table after the conflict retry.

One bad worklist never stops the others; the stop page is looked at before
every batch of writes on a wiki and each page edit holds its Redis lock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from bot.run.loop import BotRun, BotTask, PageListing, Priority, WorkItem
from bot.run.page_state import PageRecord, PageRecords
from bot.run.summary import RunSummary
from bot.run.writer import PageWriter
from bot.worklists.claims import Claims, read_claims
from bot.worklists.definition import WorklistDefinition, read_definition
from bot.worklists.event_windows import EventWorklists, NamedWorklist
from bot.worklists.flags import FlagConfigError, FlagRule, load_rules
from bot.worklists.items import (
    Item,
    ItemListing,
    describe_gap_items,
    describe_items,
    page_facts,
)
from bot.worklists.progress import EventWindow, bytes_added
from bot.worklists.sources import (
    SourceError,
    SourceListing,
    list_titles,
    normalize_title,
    read_failures,
)
from bot.worklists.table import (
    Row,
    claim_titles,
    claimed_by,
    count,
    order_items,
    read_rows,
    render_table,
)
from campaignkit.codecs import participants_table
from campaignkit.codecs.signups import read_signups
from campaignkit.codecs.usernames import UserNamespaces
from campaignkit.config import Settings
from campaignkit.contract import PARTICIPANTS_REGION, WORKLIST_REGION
from campaignkit.locks import PageLocks
from campaignkit.manifest import LocalTemplate, Manifest, load_manifest
from campaignkit.model import CampaignEvent, read_event
from campaignkit.wiki.batch import PageText, read_texts
from campaignkit.wiki.connection import WikiFarm
from campaignkit.wiki.discovery import pages_embedding
from campaignkit.wiki.editing import (
    EditOutcome,
    EditRequest,
    EditResult,
    TransformError,
)
from campaignkit.wikitext.regions import (
    RegionError,
    find_region,
    insert_region,
    replace_region,
    strip_regions,
)
from campaignkit.wikitext.templates import find_calls

log = logging.getLogger(__name__)

REGION = WORKLIST_REGION
REFRESH_EVERY = timedelta(hours=1)  # a table whose page did not change is rebuilt this often


@dataclass
class WorklistOutcome:
    """What happened to one worklist page, for the run's report."""

    wiki: str
    title: str
    total: int = 0
    shown: int = 0
    missing: int = 0
    claimed: int = 0
    done: int = 0
    edit: EditOutcome | None = None
    kept: str = ""  # why the last table was kept, if it was

    def line(self) -> str:
        """One line for the command's output."""
        where = f"{self.wiki}:{self.title}"
        if self.kept:
            return f"{where}: table kept - {self.kept}"
        return (
            f"{where}: {self.total} articles ({self.missing} missing, {self.claimed} claimed, "
            f"{self.done} done; {self.shown} shown) - {self.edit.value if self.edit else 'n/a'}"
        )


@dataclass
class WorklistPage:
    """A worklist page found on a wiki, and the events that name it."""

    wiki: str
    page: PageText
    events: list[EventWindow] = field(default_factory=list)


def _some(names: Iterable[str], shown: int = 3) -> str:
    """``a, b, c and 4 more``: a message names a few, not hundreds."""
    unique = list(dict.fromkeys(names))
    more = f" and {len(unique) - shown} more" if len(unique) > shown else ""
    return ", ".join(unique[:shown]) + more


def has_box(text: str, local: LocalTemplate) -> bool:
    """Whether the human part of a page has a ``{{Worklist}}`` box (the table is not parsed).

    A table of 10,000 rows takes seconds to parse and holds no box anyway;
    with broken region markers the whole page is looked at (and the error
    is reported when the worklist is read).
    """
    try:
        human = strip_regions(text)
    except RegionError:
        human = text
    return bool(find_calls(human, local))


class WorklistJob(BotTask):
    """The worklist task: one refresh of every worklist (or of some pages)."""

    name = "worklists"

    def __init__(
        self,
        farm: WikiFarm,
        settings: Settings,
        summary: RunSummary,
        *,
        dry_run: bool = False,
        locks: PageLocks | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        flag_rules: Mapping[str, Sequence[FlagRule]] | None = None,
        full: bool = False,
    ) -> None:
        self.farm = farm
        self.settings = settings
        self.summary = summary
        self.dry_run = dry_run or farm.simulate
        self.locks = locks or PageLocks(None, settings.redis_prefix)
        self.now = now
        self.flag_rules = dict(flag_rules or {})
        self.outcomes: list[WorklistOutcome] = []
        self.writer = PageWriter(farm, settings, summary, locks=self.locks, dry_run=self.dry_run)
        self.targets: Iterable[str] = ()
        self.wiki: str | None = None
        self.strict = False
        self.full = full
        self.listing: PageListing | None = None
        self.records = PageRecords(settings.database_url, "worklists")
        self.event_worklists = EventWorklists(settings.database_url)

    # --- helpers ---------------------------------------------------------------

    def manifest(self, wiki_id: str) -> Manifest:
        """This wiki's template names."""
        return load_manifest(wiki_id, self.settings.wiki(wiki_id).lang)

    def rules(self, wiki_id: str) -> Sequence[FlagRule]:
        """The maintenance flags looked for on a wiki."""
        if wiki_id not in self.flag_rules:
            self.flag_rules[wiki_id] = load_rules(wiki_id, self.settings.wiki(wiki_id).lang)
        return self.flag_rules[wiki_id]

    def _summary_text(self, what: str) -> str:
        return f"campaignkit: {what} (bot; docs: {self.settings.docs_url})"

    def _write(self, wiki_id: str, request: EditRequest) -> EditResult:
        """Save one page through the run's one writer (stop page, lock, safe edit)."""
        return self.writer.write(wiki_id, request)

    # --- finding worklists -------------------------------------------------------

    def find_pages(
        self, targets: Iterable[str] = (), wiki: str | None = None, *, strict: bool = False
    ) -> list[WorklistPage]:
        """Worklist pages on every wiki (or the given titles), with the events naming them.

        With ``strict``, a target that is no worklist page on any wiki is an error
        (``worklist refresh PAGE``); ``sync PAGE`` passes event pages too and skips them.
        """
        wanted = {normalize_title(t) for t in targets}
        wiki_ids = [wiki] if wiki else list(self.settings.wikis)
        found: dict[tuple[str, str], WorklistPage] = {}
        for wiki_id in wiki_ids:
            connection = self.farm[wiki_id]
            local = self.manifest(wiki_id).template("worklist")
            try:
                if wanted:
                    # Only titles that use {{Worklist}} can be worklists: a run for an
                    # event or campaign page reads nothing here.
                    candidates = sorted(
                        wanted
                        if self.listing is None
                        else wanted & {p.title for p in self.listing.embedding(wiki_id, "worklist")}
                    )
                    pages = [
                        p
                        for p in (read_texts(connection, candidates) if candidates else {}).values()
                        if p.exists and has_box(p.text, local)
                    ]
                else:
                    pages = self._pages_due(wiki_id)
            except read_failures() as error:
                self.summary.error(f"{wiki_id}: cannot list worklist pages: {error}")
                continue
            self.summary.read(wiki_id, len(pages))
            for page in pages:
                found[(wiki_id, page.title)] = WorklistPage(wiki_id, page)
        if wanted and not found:
            return self._report_unfound(wanted, found, wiki_ids, strict)
        named = self._events_by_worklist(wiki_ids)
        missing: dict[str, list[str]] = {}
        for (wiki_id, title), windows in named.items():
            if wanted and title not in wanted:
                continue
            if (wiki_id, title) in found:
                found[(wiki_id, title)].events = windows
            else:
                missing.setdefault(wiki_id, []).append(title)
        for wiki_id, titles in missing.items():
            try:
                texts = read_texts(self.farm[wiki_id], titles)
            except read_failures() as error:
                self.summary.error(
                    f"{wiki_id}: cannot read worklist pages named by events: {error}"
                )
                continue
            for title, page in texts.items():
                events = _some(w.event for w in named[(wiki_id, title)])
                if not page.exists:
                    self.summary.error(
                        f"{wiki_id}:{title}: the worklist page named by event(s) {events} "
                        "(field worklist) does not exist"
                    )
                elif not has_box(page.text, self.manifest(wiki_id).template("worklist")):
                    self.summary.warn(
                        f"{wiki_id}:{title}: named as worklist by event(s) {events}, but it has "
                        "no {{Worklist}} box, so the bot has nothing to build (a table kept by "
                        "hand is left alone)"
                    )
                else:
                    found[(wiki_id, title)] = WorklistPage(wiki_id, page, named[(wiki_id, title)])
        return self._report_unfound(wanted, found, wiki_ids, strict)

    def _pages_due(self, wiki_id: str) -> list[PageText]:
        """The wiki's worklist pages whose table is due, read; the others are not even read.

        A table is due when its page changed since the last refresh, when it
        was never refreshed, or when :data:`REFRESH_EVERY` has passed (its
        sources, the articles, change without an edit to the page); ``--full``
        makes every table due. A page that only transcludes a worklist page has
        no box of its own and is no worklist.
        """
        connection = self.farm[wiki_id]
        local = self.manifest(wiki_id).template("worklist")
        if self.listing is None:
            listed = [
                (p.title, p.revid)
                for p in pages_embedding(connection, [local.name], with_text=False)
            ]
        else:
            listed = [(p.title, p.revid) for p in self.listing.embedding(wiki_id, "worklist")]
        recorded = {} if self.full else self.records.entries(wiki_id)
        now = self.now()
        due = []
        for title, revid in listed:
            entry = recorded.get(title)
            fresh = entry is not None and entry.done and now - entry.done < REFRESH_EVERY
            if fresh and entry.revid == revid:
                continue
            due.append(title)
        if not due:
            return []
        pages = []
        for page in read_texts(connection, due).values():
            if page.exists and has_box(page.text, local):
                pages.append(page)
            elif page.exists and not self.dry_run:  # not a worklist: don't read it again soon
                self.records.record(wiki_id, PageRecord(page.title, page.revid, "no box", now))
        return pages

    def _report_unfound(
        self,
        wanted: set[str],
        found: dict[tuple[str, str], WorklistPage],
        wiki_ids: Sequence[str],
        strict: bool,
    ) -> list[WorklistPage]:
        """The pages found; with ``strict``, an error for each target that is no worklist."""
        if strict:
            for title in sorted(wanted - {t for _w, t in found}):
                self.summary.error(
                    f"{title}: no worklist page of that title (with {{{{Worklist}}}}) on "
                    f"{', '.join(wiki_ids)}"
                )
        return list(found.values())

    def _events_by_worklist(self, wiki_ids: Sequence[str]) -> dict[tuple[str, str], list]:
        """Events that name a worklist, by (wiki of the event page, worklist title).

        Only event pages whose revision changed since they were last looked at
        (or that this run saved) are read; the others come from the record.
        """
        named: dict[tuple[str, str], list[EventWindow]] = {}
        now = self.now()
        for wiki_id in wiki_ids:
            try:
                entries = self._event_worklists(wiki_id)
            except read_failures() as error:
                self.summary.warn(f"{wiki_id}: cannot list events for worklist progress: {error}")
                continue
            for entry in entries:
                if entry.worklist and entry.window is not None:
                    window = replace(entry.window, end=min(entry.window.end, now))
                    named.setdefault((wiki_id, entry.worklist), []).append(window)
        return named

    def _event_worklists(self, wiki_id: str) -> list[NamedWorklist]:
        """What every event page of the wiki says about worklists, read only where it changed."""
        connection = self.farm[wiki_id]
        manifest = self.manifest(wiki_id)
        if self.listing is None:
            local = manifest.template("campaign_event")
            listed = {
                p.title: p.revid for p in pages_embedding(connection, [local.name], with_text=False)
            }
        else:
            listed = {p.title: p.revid for p in self.listing.embedding(wiki_id, "campaign_event")}
        recorded = self.event_worklists.entries(wiki_id)
        saved = {title for wiki, title in self.writer.saved if wiki == wiki_id}
        known, stale = [], []
        for title, revid in listed.items():
            entry = recorded.get(title)
            if entry is not None and entry.revid == revid and title not in saved:
                known.append(entry)
            else:
                stale.append(title)
        fresh = []
        for page in (read_texts(connection, stale) if stale else {}).values():
            if page.exists:
                entry = self._named_worklist(wiki_id, page, manifest)
                if entry is not None:
                    fresh.append(entry)
        if not self.dry_run:
            self.event_worklists.record(wiki_id, fresh, keep=listed)
        return known + fresh

    def _named_worklist(
        self, wiki_id: str, page: PageText, manifest: Manifest
    ) -> NamedWorklist | None:
        """The worklist one event page names, with its window; None when it cannot be read."""
        event = read_event(
            page.text,
            title=page.title,
            wiki=wiki_id,
            manifest=manifest,
            wiki_ids=set(self.settings.wikis),
            hub_id=self.settings.hub_id,
        ).model  # problems are reported by the events part of sync
        if event is None or not event.worklist:
            return NamedWorklist(page.title, page.revid)
        window = self._window(event, page, manifest)
        if window is None:  # warned; read again next run
            return None
        return NamedWorklist(page.title, page.revid, normalize_title(event.worklist), window)

    def _window(
        self, event: CampaignEvent, page: PageText, manifest: Manifest
    ) -> EventWindow | None:
        """The event's window and its valid participants (from its table, else its sign-ups)."""
        try:
            region = find_region(page.text, PARTICIPANTS_REGION, page.title)
            if region is not None:
                rows = participants_table.read_table(region.content(page.text), manifest)
                names = [r.user for r in rows if r.valid]
            else:
                names = read_signups(
                    page.text, manifest, UserNamespaces.english(), page.title
                ).names
        except RegionError as error:
            self.summary.warn(f"{event.page.wiki}:{page.title}: {error}")
            return None
        return EventWindow(
            event=f"{event.page.wiki}:{page.title}",
            start=event.start_utc,
            end=event.end_utc,
            participants=tuple(names),
        )

    # --- one worklist -------------------------------------------------------------

    def _kept(self, outcome: WorklistOutcome, why: str) -> WorklistOutcome:
        outcome.kept = why
        self.summary.error(f"{outcome.wiki}:{outcome.title}: kept the last table: {why}")
        self.outcomes.append(outcome)
        return outcome

    def _describe(self, definition: WorklistDefinition, titles: Sequence[str]) -> ItemListing:
        target = self.farm[definition.wiki]
        try:
            rules = self.rules(definition.wiki)
        except FlagConfigError as error:
            raise SourceError(f"maintenance flags of {definition.wiki}: {error}") from error
        if definition.is_gap:
            return describe_gap_items(
                self.farm[definition.listing_wiki],
                target,
                titles,
                self.settings.wiki(definition.wiki).lang,
                rules,
            )
        return describe_items(target, titles, rules)

    def refresh(self, worklist: WorklistPage) -> WorklistOutcome:
        """Rebuild one worklist's table; keep the last one when anything it needs fails."""
        wiki_id, page = worklist.wiki, worklist.page
        outcome = WorklistOutcome(wiki_id, page.title)
        manifest = self.manifest(wiki_id)
        reading = read_definition(
            page.text,
            title=page.title,
            wiki=wiki_id,
            manifest=manifest,
            wiki_ids=set(self.settings.wikis),
        )
        for problem in reading.errors:
            (self.summary.warn if problem.warning else self.summary.error)(str(problem))
        definition = reading.definition
        if definition is None:
            return self._kept(outcome, "the {{Worklist}} boxes have errors (see above)")
        try:
            region = find_region(page.text, REGION, page.title)
            previous_text = region.content(page.text) if region else ""
        except RegionError as error:
            return self._kept(outcome, str(error))
        try:
            source = list_titles(self.farm[definition.listing_wiki], definition)
            for note in source.notes:
                self.summary.warn(f"{wiki_id}:{page.title}: {note}")
            listed_before = [
                row for row in read_rows(previous_text, manifest) if not row.values.get("unlisted")
            ]
            if not source.titles and (listed_before or source.failed):
                why = "; ".join(source.incomplete) or "its sources gave no page"
                return self._kept(
                    outcome,
                    f"{why}, and the table had {len(listed_before)} rows; if the list really is "
                    "empty now, delete the table and the bot starts afresh",
                )
            titles = self._with_kept_rows(worklist, source, listed_before)
            listing = self._describe(definition, titles)
            excluded = self._excluded_names(definition, source.excluded)
            listing.items = [i for i in listing.items if not {i.title, i.redirect_from} & excluded]
            windows = worklist.events
            added = bytes_added(self.farm[definition.wiki], windows) if windows else {}
        except SourceError as error:
            return self._kept(outcome, str(error))
        except read_failures() as error:
            return self._kept(outcome, f"cannot read the participants' contributions: {error}")
        for note in listing.notes:
            self.summary.warn(f"{wiki_id}:{page.title}: {note}")
        self.summary.read(definition.wiki, len(listing.items))
        result = self._write_table(
            worklist, definition, manifest, listing.items, added, outcome, excluded
        )
        self.outcomes.append(outcome)
        if result.outcome in (
            EditOutcome.SAVED,
            EditOutcome.CREATED,
            EditOutcome.UNCHANGED,
        ):
            revid = result.revid if result.wrote else page.revid
            self.records.record(wiki_id, PageRecord(page.title, revid, "table", self.now()))
        return outcome

    def _with_kept_rows(
        self, worklist: WorklistPage, source: SourceListing, listed_before: list[Row]
    ) -> list[str]:
        """The sources' titles, plus the last table's rows when a source failed or gave none.

        Which rows a source gave last time is not written down, so every row
        that no source lists now is kept: while a source is down, a table may
        keep an article too many, never lose one. The run names each such source.
        """
        where = f"{worklist.wiki}:{worklist.page.title}"
        if not source.incomplete:
            return source.titles
        listed = set(source.titles)
        kept = [r.values["title"] for r in listed_before if r.values["title"] not in listed]
        for problem in source.incomplete:
            if listed_before:
                self.summary.error(
                    f"{where}: {problem}; kept the last table's rows that no other source "
                    f"lists ({len(kept)}); if that source really is empty now, remove its box"
                )
            else:
                self.summary.error(f"{where}: {problem}; its articles are missing from the table")
        return [*source.titles, *kept]

    def _excluded_names(self, definition: WorklistDefinition, excluded: set[str]) -> set[str]:
        """The excluded titles and what they redirect to, compared with resolved items.

        ``minus_titles=Lagos`` takes out an article listed as a redirect to
        Lagos (by its resolved title), and ``minus_titles`` naming a redirect
        takes out its target.
        """
        if not excluded:
            return set()
        facts = page_facts(self.farm[definition.listing_wiki], sorted(excluded))
        return set(excluded) | {f.title for f in facts.values() if not f.invalid}

    def _items_to_show(
        self,
        definition: WorklistDefinition,
        items: list[Item],
        claims: Claims,
        previous_titles: set[str],
        page_title: str,
        excluded: Collection[str] = (),
    ) -> list[Item]:
        """The listed items (a gap keeps what it listed once) plus claimed articles.

        A claimed article that the table listed before (a stub that was
        expanded and left its category) stays listed; one that no source ever
        listed, or that the organizer excluded, is shown apart as "claimed,
        not in the list" and counted nowhere: a typo in a claim must not add
        a missing article to the totals.
        """
        if definition.is_gap:
            items = [
                i
                for i in items
                if not i.exists or i.title in previous_titles or claimed_by(i, claims)
            ]
        known = {t for item in items for t in claim_titles(item)}
        unlisted = [t for t in claims.by_title if t not in known]
        if unlisted:
            try:
                extra = self._describe(definition, unlisted)
            except SourceError as error:
                self.summary.warn(f"{definition.page.wiki}:{page_title}: claimed articles: {error}")
            else:
                for item in extra.items:
                    if item.namespace != 0:
                        extra.notes.append(f"{item.title!r} is not an article; not listed")
                    elif item.title not in known:
                        names = {item.title, item.redirect_from}
                        item.unlisted = bool(names & set(excluded)) or not names & previous_titles
                        items = [*items, item]
                        if item.unlisted:
                            extra.notes.append(
                                f"{item.title!r} is claimed but not in the list; shown apart as "
                                "'claimed, not in the list' (a typo in the claim?)"
                            )
                for note in extra.notes:
                    self.summary.warn(f"{definition.page.wiki}:{page_title}: claim: {note}")
        return items

    def _write_table(
        self,
        worklist: WorklistPage,
        definition: WorklistDefinition,
        manifest: Manifest,
        items: list[Item],
        added: dict[str, int],
        outcome: WorklistOutcome,
        excluded: Collection[str] = (),
    ) -> EditResult:
        wiki_id = worklist.wiki
        reported: set[str] = set()

        title = worklist.page.title

        def build(text: str) -> str:
            try:
                region = find_region(text, REGION, title)
                claims = read_claims(text, manifest, page=title)
            except RegionError as error:
                raise TransformError(str(error)) from error
            previous = [  # what the table listed (claims apart are not listed)
                row
                for row in (read_rows(region.content(text), manifest) if region else [])
                if not row.values.get("unlisted")
            ]
            shown_items = self._items_to_show(
                definition, items, claims, {r.values["title"] for r in previous}, title, excluded
            )
            for problem in claims.problems:
                if problem not in reported:
                    reported.add(problem)
                    self.summary.warn(f"{wiki_id}:{title}: {problem}")
            shown = order_items(shown_items, definition.sort, definition.limit, claims)
            counts = count(shown_items, shown, claims)
            outcome.total, outcome.shown, outcome.missing = (
                counts.total,
                counts.shown,
                counts.missing,
            )
            outcome.claimed, outcome.done = counts.claimed, counts.done
            content = render_table(
                shown_items,
                claims,
                added,
                manifest,
                sort=definition.sort,
                limit=definition.limit,
            )
            try:
                if region is None:
                    return insert_region(
                        text, REGION, content, title, [manifest.frame_name("campaign_bot_region")]
                    )
                return replace_region(text, REGION, content, title)
            except RegionError as error:
                raise TransformError(str(error)) from error

        def verify(saved: str) -> bool:
            """A human edit merged into our save (a new claim, say) must be in the table too."""
            try:
                return build(saved) == saved
            except TransformError:
                return False

        def summary(_page: PageText, _text: str) -> str:
            return self._summary_text(
                f"worklist: {outcome.total} articles, {outcome.missing} missing, "
                f"{outcome.claimed} claimed, {outcome.done} done"
            )

        result = self._write(
            wiki_id,
            EditRequest(
                title,
                lambda current: build(current.text),
                summary,
                verify=verify,
                create=False,
                current=worklist.page,
            ),
        )
        outcome.edit = result.outcome
        return result

    def export_items(self, wiki_id: str, page: PageText) -> tuple[WorklistDefinition, list[Item]]:
        """Every item of a worklist, computed now from its sources (for export).

        Every item, not only the rows a ``limit`` shows; a language gap keeps
        the items its table listed once, as the table does. A source that
        cannot be read, or gives nothing, makes the export fail: a partial
        file would look complete.
        """
        manifest = self.manifest(wiki_id)
        reading = read_definition(
            page.text,
            title=page.title,
            wiki=wiki_id,
            manifest=manifest,
            wiki_ids=set(self.settings.wikis),
        )
        if reading.definition is None:
            raise SourceError("\n".join(str(e) for e in reading.problems))
        definition = reading.definition
        region = find_region(page.text, REGION, page.title)
        previous = read_rows(region.content(page.text), manifest) if region else []
        source = list_titles(self.farm[definition.listing_wiki], definition)
        if source.incomplete:
            raise SourceError(
                f"{wiki_id}:{page.title}: not exported, the list would be incomplete: "
                + "; ".join(source.incomplete)
            )
        listing = self._describe(definition, source.titles)
        excluded = self._excluded_names(definition, source.excluded)
        items = [i for i in listing.items if not {i.title, i.redirect_from} & excluded]
        if definition.is_gap:
            claims = read_claims(page.text, manifest, page=page.title)
            listed_once = {r.values["title"] for r in previous if not r.values.get("unlisted")}
            items = [
                i for i in items if not i.exists or i.title in listed_once or claimed_by(i, claims)
            ]
        return definition, sorted(items, key=lambda item: item.title)

    # --- the run --------------------------------------------------------------------

    def setup(self, run: BotRun) -> None:
        """Write through the run's writer, count in its summary, share its listing."""
        self.writer = run.writer
        self.summary = run.summary
        self.listing = run.listing

    def teardown(self, run: BotRun) -> None:
        """Carry over the run's own saves the record of events that name no worklist.

        The sync's save of an event page changes only its regions, never its
        ``worklist=`` field; an event that names a worklist is read again (its
        participants table is what changed).
        """
        if self.dry_run:
            return
        for wiki_id in self.settings.wikis:
            self.event_worklists.carry_over(wiki_id, run.writer.replaced(wiki_id))

    def items(self, run: BotRun) -> Iterable[WorkItem]:
        """Every worklist page (or the targeted ones), after the sync's tables."""
        for worklist in self.find_pages(self.targets, self.wiki, strict=self.strict):
            yield WorkItem(
                self.name,
                worklist.wiki,
                worklist.page.title,
                Priority.WORKLIST,
                payload=worklist,
            )

    def treat(self, run: BotRun, item: WorkItem) -> None:
        """Refresh one worklist; a source that cannot be read keeps the last table."""
        worklist = item.payload
        try:
            self.refresh(worklist)
        except read_failures() as error:
            self._kept(WorklistOutcome(worklist.wiki, worklist.page.title), str(error))

    def run(
        self, targets: Iterable[str] = (), wiki: str | None = None, *, strict: bool = False
    ) -> list[WorklistOutcome]:
        """Refresh every worklist, or the given pages, in a run of their own."""
        if wiki is not None:
            self.settings.wiki(wiki)  # a ConfigError naming the known wikis
        self.targets, self.wiki, self.strict = targets, wiki, strict
        BotRun(
            self.farm,
            self.settings,
            self.name,
            locks=self.locks,
            dry_run=self.dry_run,
            now=self.now,
            summary=self.summary,
        ).execute([self])
        return self.outcomes


class WorklistTask(WorklistJob):
    """The worklists as the last task of a sync run (targets and wiki given up front)."""

    def __init__(
        self,
        farm: WikiFarm,
        settings: Settings,
        summary: RunSummary,
        *,
        targets: Iterable[str] = (),
        wiki: str | None = None,
        dry_run: bool = False,
        locks: PageLocks | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        full: bool = False,
    ) -> None:
        super().__init__(farm, settings, summary, dry_run=dry_run, locks=locks, now=now, full=full)
        self.targets, self.wiki = targets, wiki
