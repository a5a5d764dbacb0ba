"""``campaignkit sync``: participants tables on event pages, events tables on campaign pages.

The sync is a :class:`~bot.run.loop.BotTask`; one run, in order:

1. Setup: on each wiki, list the pages that transclude ``{{Campaign event}}``
   (revision ids only, shared with the other tasks through the run's
   :class:`~bot.run.loop.PageListing`) and read, in batches, the text of those
   whose revision changed since the last run (all of them with ``--full``).
   For each changed event: read the event and its sign-ups (templates and
   signatures), check every name in batched ``list=users`` requests and count
   its valid participants and new editors. List and read the hub's campaign
   pages.
2. Items, in the order people need them: pages someone asked for, then each
   campaign's events table and its JSON and GeoJSON subpages (what organizers
   and the webservice read), then event pages' participants tables (ongoing
   events, soonest upcoming, then ended).
3. Treat: rebuild the table from the page's current text (sign-ups dated from
   the page history) and save it through the run's one writer (stop page,
   page lock, ``{{nobots}}``, conflict-safe edit). Each event page is recorded
   as soon as it is done, so a run killed at any moment is continued by the
   next without a second edit.

A campaign's table keeps the previous row of any event whose wiki or page could
not be read. One bad page is reported and the run goes on (the loop isolates it).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.run.campaign_state import Campaigns, CampaignState, hub_campaigns
from bot.run.lease import RunLease
from bot.run.loop import BotRun, BotTask, Priority, WorkItem
from bot.run.page_state import PageRecord, PageRecords, PageState, Recorded
from bot.run.summary import RunSummary
from bot.sync import broken_events
from bot.sync.signup_times import find_signup_times
from bot.worklists.job import WorklistTask
from bot.worklists.sources import read_failures
from campaignkit.campaign_tree import CampaignTree
from campaignkit.codecs import campaign_data, waitlist
from campaignkit.codecs import events_table as campaign_table
from campaignkit.codecs import participants_table as participants
from campaignkit.codecs.events_table import EventRow
from campaignkit.codecs.participants_table import ParticipantRow
from campaignkit.codecs.signups import read_signups, signed_up_names
from campaignkit.codecs.usernames import UserNamespaces
from campaignkit.config import Settings
from campaignkit.contract import EVENTS_REGION, PARTICIPANTS_REGION
from campaignkit.locks import PageLocks
from campaignkit.manifest import Manifest, load_manifest
from campaignkit.model import Campaign, CampaignEvent, Reading, read_campaign, read_event
from campaignkit.wiki.batch import PageText, read_texts
from campaignkit.wiki.connection import WikiConnection, WikiFarm
from campaignkit.wiki.editing import (
    EditOutcome,
    EditRequest,
    EditResult,
    TransformError,
)
from campaignkit.wiki.errors import WikiError
from campaignkit.wiki.users import UserInfo, check_users
from campaignkit.wikitext.regions import RegionError, find_region, put_region

log = logging.getLogger(__name__)


@dataclass
class EventOutcome:
    """What the run knows about one event page: read now, or recorded at this revision."""

    wiki: str
    title: str
    campaign: str
    event: CampaignEvent | None = None
    participants: int = 0
    new_editors: int = 0
    recorded_row: dict[str, str] | None = None
    problem: str = ""  # why the page cannot be read: a "needs fixing" row
    name: str = ""  # the name the unreadable page gives, if any
    waitlisted: int = 0
    attended: int = 0

    def row(self, now: datetime) -> EventRow:
        """The event's row in its campaign's table."""
        if self.problem:
            return campaign_table.row_for_unreadable(self.wiki, self.title, self.name, self.problem)
        if self.event is not None:
            return campaign_table.row_for_event(
                self.event,
                self.participants,
                self.new_editors,
                now,
                waitlisted=self.waitlisted,
                attended=self.attended,
            )
        values = dict(self.recorded_row or {})
        status = campaign_table.status_from_row(values, now) or values.get("status", "")
        if status:  # a "needs fixing" row has none
            values["status"] = status
        return EventRow(self.wiki, self.title, values)


@dataclass
class WikiPass:
    """Per-wiki state of one run."""

    connection: WikiConnection
    manifest: Manifest
    namespaces: UserNamespaces
    listed: dict[str, PageText] = field(default_factory=dict)
    failed: str = ""


def _describe(rows_before: list[ParticipantRow], rows_after: list[ParticipantRow]) -> str:
    before = {r.user for r in rows_before}
    after = {r.user for r in rows_after}
    added, removed = len(after - before), len(before - after)
    parts = []
    if added:
        parts.append(f"{added} new participant{'s' if added != 1 else ''}")
    if removed:
        parts.append(f"{removed} removed")
    if not parts:
        parts.append("participants table updated")
    valid = sum(1 for r in rows_after if r.valid)
    return f"{', '.join(parts)} ({valid} in all)"


def _campaign_of(reading: Reading[CampaignEvent]) -> str:
    """The campaign an event page names, from its model or, when unreadable, its fields."""
    if reading.model is not None:
        return reading.model.campaign
    return str(reading.values.get("campaign") or "")


def event_order(event: CampaignEvent, now: datetime) -> tuple[int, float]:
    """Ongoing events first (soonest to end), then upcoming (soonest to start), then ended."""
    start, end = event.start_utc, event.end_utc
    if start <= now <= end:
        return (0, end.timestamp())
    if now < start:
        return (1, start.timestamp())
    return (2, -end.timestamp())


@dataclass
class EventToWrite:
    """An event page read in this run, waiting for its participants table."""

    page: PageText
    event: CampaignEvent
    outcome: EventOutcome


class SyncJob(BotTask):
    """The sync task: participants tables, campaign events tables and their data pages.

    ``run()`` runs it (with the worklists after it) in a :class:`BotRun` of its
    own; a run of several tasks can also take it as one of them.
    """

    name = "sync"

    def __init__(
        self,
        farm: WikiFarm,
        settings: Settings,
        *,
        dry_run: bool = False,
        full: bool = False,
        prune: bool = False,
        locks: PageLocks | None = None,
        state: PageState | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        max_seconds: float | None = None,
        worklists: bool = True,
        calendar: bool = False,
        exclusive: bool = False,
    ) -> None:
        self.farm = farm
        self.settings = settings
        self.dry_run = dry_run or farm.simulate
        self.full = full
        self.prune = prune
        self.locks = locks or PageLocks(None, settings.redis_prefix)
        self.state = state or PageState(settings.database_url)
        self.now = now
        self.max_seconds = max_seconds
        self.worklists = worklists
        self.calendar = calendar  # the movement-wide calendar in the same run (bot/calendar)
        self.exclusive = exclusive
        self.bot_run = BotRun(
            farm,
            settings,
            "sync",
            locks=self.locks,
            dry_run=self.dry_run,
            max_seconds=max_seconds,
            now=now,
        )
        self.summary = self.bot_run.summary
        self.writer = self.bot_run.writer
        self.passes: dict[str, WikiPass] = {}
        self.outcomes: dict[tuple[str, str], EventOutcome] = {}
        self.targets: set[str] = set()
        self.only_wiki: str | None = None
        self.to_write: list[EventToWrite] = []
        self.campaign_pages: list[PageText] = []
        self.only_campaigns: set[str] | None = None
        self.unread: set[tuple[str, str]] = set()
        self.campaign_records = PageRecords.beside(self.state, "sync-campaign")
        self.membership = PageRecords.beside(self.state, "event-campaign")
        self.campaign_digests: dict[str, str] = {}
        # Campaign pages this run saved with nothing merged in: title -> (read, saved)
        # revision ids; only the bot's region changed, so the calendar's campaign
        # register follows the new revision instead of reading the page again.
        self.own_campaign_edits: dict[str, tuple[int, int]] = {}
        self.campaigns: Campaigns | None = None  # every campaign page: names, topics, parents
        self.tree = CampaignTree()  # who is part of whom ({{Campaign|parent=…}})
        # The revision each changed event page was last processed at: new sign-ups
        # are dated from the revisions after it only (bot/sync/signup_times.py).
        self.last_revids: dict[tuple[str, str], int] = {}

    # --- helpers ---------------------------------------------------------------

    def _pass(self, wiki_id: str) -> WikiPass:
        if wiki_id not in self.passes:
            connection = self.farm[wiki_id]
            self.passes[wiki_id] = WikiPass(
                connection=connection,
                manifest=load_manifest(wiki_id, connection.config.lang),
                namespaces=UserNamespaces.english(),
            )
        return self.passes[wiki_id]

    def _summary_text(self, what: str) -> str:
        return self.writer.summary_text(what)

    def _write(self, wiki_pass: WikiPass, request: EditRequest) -> EditResult:
        """Save one page through the run's writer (stop page, lock, safe edit)."""
        return self.writer.write(wiki_pass.connection.id, request)

    # --- step 1: events ----------------------------------------------------------

    def _list_events(self, wiki_pass: WikiPass) -> None:
        connection = wiki_pass.connection
        try:
            wiki_pass.namespaces = UserNamespaces.from_site(connection.site)
            pages = self.bot_run.listing.embedding(connection.id, "campaign_event")
        except WikiError as error:
            wiki_pass.failed = str(error)
            self.summary.error(
                f"{connection.id}: cannot list event pages, keeping their previous rows: {error}"
            )
            return
        wiki_pass.listed = {page.title: page for page in pages}

    def _changed_events(self, wiki_pass: WikiPass, only: set[str] | None) -> list[PageText]:
        """Event pages to read now; the others' rows come from the record."""
        connection = wiki_pass.connection
        recorded = {} if self.full else self.state.entries(connection.id)
        members = {} if self.full or not self.targets else self.membership.entries(connection.id)
        titles = []
        for title, page in wiki_pass.listed.items():
            entry = recorded.get(title)
            member = members.get(title)
            if entry is not None and entry.revid == page.revid and entry.row:
                self.outcomes[(connection.id, title)] = EventOutcome(
                    connection.id, title, entry.campaign, recorded_row=entry.row
                )
                problem = entry.row.get("problem", "")
                if problem and (
                    not self.targets or title in self.targets or entry.campaign in self.targets
                ):
                    self.summary.warn(
                        f"{connection.id}:{title}: still needs fixing (page unchanged): {problem}"
                    )
            elif only is not None and title not in only:
                self.unread.add((connection.id, title))
            elif (
                member is not None
                and member.revid == page.revid
                and member.digest not in self.targets
                and title not in self.targets
            ):
                self.unread.add((connection.id, title))  # of another campaign, as read before
            else:
                if entry is not None:
                    self.last_revids[(connection.id, title)] = entry.revid
                titles.append(title)
        if not titles:
            return []
        try:
            texts = read_texts(connection, titles)
        except WikiError as error:
            self.summary.error(f"{connection.id}: cannot read event pages: {error}")
            return []
        self.summary.read(connection.id, len(texts))
        return [page for page in texts.values() if page.exists]

    def _campaign_named(self, wiki_pass: WikiPass, page: PageText) -> str:
        """The campaign an event page names, even when the rest of it cannot be read."""
        reading = read_event(
            page.text,
            title=page.title,
            wiki=wiki_pass.connection.id,
            manifest=wiki_pass.manifest,
            wiki_ids=set(self.settings.wikis),
            hub_id=self.settings.hub_id,
        )
        return _campaign_of(reading)

    def _read_event(
        self, wiki_pass: WikiPass, page: PageText, targets: set[str] | None = None
    ) -> CampaignEvent | None:
        """The event on a page; its problems are reported when the page is ours to write.

        A page that cannot be read is never dropped: when it names its
        campaign, it gets a "needs fixing" row there (see :meth:`_unreadable`),
        in a run for that page or campaign too.
        """
        reading = read_event(
            page.text,
            title=page.title,
            wiki=wiki_pass.connection.id,
            manifest=wiki_pass.manifest,
            wiki_ids=set(self.settings.wikis),
            hub_id=self.settings.hub_id,
        )
        model = reading.model
        campaign = _campaign_of(reading)
        if targets and page.title not in targets and campaign not in targets:
            return None
        for problem in reading.errors:
            if model is None:
                self.summary.error(str(problem))
            else:
                self.summary.warn(str(problem))
        if model is None:
            self._unreadable(wiki_pass, page, reading, campaign)
        return model

    def _unreadable(
        self, wiki_pass: WikiPass, page: PageText, reading: Reading, campaign: str
    ) -> None:
        """An event page whose template cannot be read: a "needs fixing" row, recorded."""
        wiki_id = wiki_pass.connection.id
        if not campaign:
            self.summary.error(
                f"{wiki_id}:{page.title}: not listed on any campaign: its campaign field "
                "cannot be read (see above)"
            )
            return
        problem = "; ".join(str(e) for e in reading.problems) or "the template cannot be read"
        outcome = EventOutcome(
            wiki_id,
            page.title,
            campaign,
            problem=problem,
            name=str(reading.values.get("name") or ""),
        )
        self.outcomes[(wiki_id, page.title)] = outcome
        self.summary.warn(
            f"{wiki_id}:{page.title}: listed as needs fixing on {self.settings.hub_id}:"
            f"{campaign} until the page is fixed"
        )
        if not self.dry_run:
            row = outcome.row(self.now())
            self.state.record(wiki_id, [Recorded(page.title, page.revid, campaign, row.values)])

    def _participants_transform(
        self,
        wiki_pass: WikiPass,
        event: CampaignEvent,
        users: dict[str, UserInfo],
        outcome: EventOutcome,
        describe: list[str],
    ) -> Callable[[PageText], str]:
        connection = wiki_pass.connection
        manifest = wiki_pass.manifest

        def names_in(text: str) -> set[str]:
            return signed_up_names(text, manifest, wiki_pass.namespaces)

        def transform(page: PageText) -> str:
            try:
                signups = read_signups(page.text, manifest, wiki_pass.namespaces, page.title)
                region = find_region(page.text, PARTICIPANTS_REGION, page.title)
            except RegionError as error:
                raise TransformError(str(error)) from error
            previous = (
                participants.read_table(region.content(page.text), manifest)
                if region is not None
                else []
            )
            missing = [n for n in signups.names if n not in users]
            if missing:
                users.update(check_users(connection, missing))
            known_times = {r.user: r.signed_up for r in previous if r.signed_up}
            pending = [n for n in signups.names if n not in known_times]
            times = dict(known_times)
            if pending:
                times.update(
                    find_signup_times(
                        connection,
                        page.title,
                        pending,
                        names_in,
                        latest_timestamp=page.timestamp,
                        latest_parentid=page.parentid,
                        latest_revid=page.revid,
                        since_revid=self.last_revids.get((connection.id, page.title)),
                    )
                )
            rows = participants.build_rows(
                signups.names, users, times, event.start_utc, event.end_utc
            )
            rows = waitlist.seat_event(rows, event, page.text, manifest, wiki_pass.namespaces)
            for problem in signups.problems:
                self.summary.warn(f"{connection.id}:{page.title}: {problem}")
            for row in rows:
                if not row.valid and not row.waitlisted:
                    self.summary.warn(
                        f"{connection.id}:{page.title}: sign-up {row.user!r}: {row.status}"
                    )
            outcome.participants = sum(1 for r in rows if r.valid)
            outcome.new_editors = sum(1 for r in rows if r.valid and r.new_editor)
            outcome.waitlisted, outcome.attended = waitlist.counts(rows)
            content = participants.render_table(rows, manifest)
            describe[:] = [_describe(previous, rows)]
            try:
                return put_region(
                    page.text,
                    PARTICIPANTS_REGION,
                    content,
                    page.title,
                    [manifest.frame_name("campaign_bot_region")],
                )
            except RegionError as error:
                raise TransformError(str(error)) from error

        return transform

    def _read_event_pages(
        self, wiki_pass: WikiPass, pages: list[PageText], targets: set[str] | None = None
    ) -> None:
        """Read these event pages and count their participants; queue the ones to write.

        With ``targets``, only the event pages named there or belonging to a
        campaign named there are written (the others were read to find out).
        The counts (valid sign-ups, new editors) need no page history, so every
        campaign row is right before the first event page is written.
        """
        connection = wiki_pass.connection
        events: list[tuple[PageText, CampaignEvent]] = []
        for page in pages:
            event = self._read_event(wiki_pass, page, targets)
            if event is not None:
                events.append((page, event))
            if targets and not self.dry_run:
                # Which campaign this revision names: a run for another campaign
                # need not read it again until it changes.
                self.membership.record(
                    connection.id,
                    PageRecord(page.title, page.revid, self._campaign_named(wiki_pass, page)),
                )
        names_by_page: dict[str, list[str]] = {}
        for page, _event in events:
            with contextlib.suppress(RegionError):  # reported when the page is written
                names_by_page[page.title] = read_signups(
                    page.text, wiki_pass.manifest, wiki_pass.namespaces, page.title
                ).names
        try:
            self.users[connection.id] = check_users(
                connection, [n for names in names_by_page.values() for n in names]
            )
        except WikiError as error:
            self.summary.error(f"{connection.id}: cannot check usernames: {error}")
            return
        users = self.users[connection.id]
        for page, event in events:
            outcome = EventOutcome(connection.id, page.title, event.campaign, event)
            rows = participants.build_rows(
                names_by_page.get(page.title, []), users, {}, event.start_utc, event.end_utc
            )
            rows = waitlist.seat_event(
                rows, event, page.text, wiki_pass.manifest, wiki_pass.namespaces
            )
            outcome.participants = sum(1 for r in rows if r.valid)
            outcome.new_editors = sum(1 for r in rows if r.valid and r.new_editor)
            outcome.waitlisted, outcome.attended = waitlist.counts(rows)
            # Listed in its campaign even when its own page cannot be written
            # (nobots, stop page, a lock held by another process).
            self.outcomes[(connection.id, page.title)] = outcome
            self.to_write.append(EventToWrite(page, event, outcome))

    def _write_event_page(self, item: EventToWrite) -> None:
        """The participants table of one event page; recorded at once when done."""
        wiki_pass = self.passes[item.outcome.wiki]
        connection = wiki_pass.connection
        describe: list[str] = []
        request = EditRequest(
            title=item.page.title,
            transform=self._participants_transform(
                wiki_pass, item.event, self.users.get(connection.id, {}), item.outcome, describe
            ),
            summary=lambda _page, _text, d=describe: self._summary_text(
                d[0] if d else "participants table"
            ),
            create=False,
            current=item.page,
        )
        result = self._write(wiki_pass, request)
        if result.outcome in (EditOutcome.SAVED, EditOutcome.CREATED, EditOutcome.UNCHANGED):
            revid = result.revid if result.wrote else item.page.revid
            row = item.outcome.row(self.now())
            if not self.dry_run:
                self.state.record(
                    connection.id,
                    [Recorded(item.page.title, revid, item.event.campaign, row.values)],
                )

    # --- step 3: campaigns ---------------------------------------------------------

    def _campaign_rows(
        self, campaign: Campaign, previous: list[EventRow]
    ) -> tuple[list[EventRow], list[str]]:
        """This campaign's rows: events read or recorded, and previous rows that must stay."""
        now = self.now()
        rows: dict[tuple[str, str], EventRow] = {}
        notes: list[str] = []
        title = campaign.page.title
        family = self.tree.family(title)  # its own events and those of its parts
        for key, outcome in self.outcomes.items():
            if outcome.campaign in family:
                rows[key] = outcome.row(now)
        vanished: list[EventRow] = []
        for row in previous:
            if row.key in rows or row.key in self.outcomes:
                continue  # listed now (here or, after a campaign= change, elsewhere)
            wiki_pass = self.passes.get(row.wiki)
            if wiki_pass is None or wiki_pass.failed:
                why = wiki_pass.failed if wiki_pass else f"wiki {row.wiki} is not configured"
                notes.append(f"kept the row of {row.wiki}:{row.event}: {why}")
                rows[row.key] = self._kept(row, now)
            elif row.event in wiki_pass.listed:
                rows[row.key] = self._kept(row, now)  # listed but not read (not a target)
            else:
                vanished.append(row)
        if vanished:
            self._handle_vanished(vanished, rows, notes, now)
        return campaign_table.sort_rows(list(rows.values())), notes

    def _kept(self, row: EventRow, now: datetime) -> EventRow:
        values = dict(row.values)
        status = campaign_table.status_from_row(values, now)
        if status:
            values["status"] = status
        return EventRow(row.wiki, row.event, values)

    def _handle_vanished(
        self, vanished: list[EventRow], rows: dict, notes: list[str], now: datetime
    ) -> None:
        """Events no longer listed: dropped if their page exists, kept if it is gone."""
        by_wiki: dict[str, list[EventRow]] = {}
        for row in vanished:
            by_wiki.setdefault(row.wiki, []).append(row)
        for wiki_id, wiki_rows in by_wiki.items():
            try:
                pages = read_texts(self.passes[wiki_id].connection, [r.event for r in wiki_rows])
            except WikiError as error:
                for row in wiki_rows:
                    rows[row.key] = self._kept(row, now)
                    notes.append(f"kept the row of {wiki_id}:{row.event}: {error}")
                continue
            for row in wiki_rows:
                page = pages.get(row.event)
                if page is not None and page.exists:
                    continue  # the organizer removed {{Campaign event}}: drop the row
                if self.prune:
                    notes.append(f"removed the row of deleted event page {wiki_id}:{row.event}")
                    continue
                rows[row.key] = self._kept(row, now)
                notes.append(
                    f"event page {wiki_id}:{row.event} cannot be read (deleted?); "
                    "kept its previous row (sync --prune removes it)"
                )

    def _rows_digest(self, title: str) -> str:
        """A fingerprint of what a campaign's table is built from, known before reading it.

        The rows of its events (read now or recorded, with their status as of
        now) and the wikis that could not be listed (whose previous rows stay):
        when neither changed, nor the page itself, the table would come out the
        same, so the page is not even read.
        """
        now = self.now()
        family = self.tree.family(title)
        rows = sorted(
            (key, sorted(outcome.row(now).values.items()))
            for key, outcome in self.outcomes.items()
            if outcome.campaign in family
        )
        failed = sorted(wiki_id for wiki_id, p in self.passes.items() if p.failed)
        blob = json.dumps(
            [rows, failed, self.prune, sorted(family)], ensure_ascii=False, default=str
        )
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]

    def _read_campaign_pages(self) -> None:
        """The hub's campaign pages whose table may change, read in batches."""
        hub_pass = self._pass(self.settings.hub_id)
        connection = hub_pass.connection
        try:
            listed = self.bot_run.listing.embedding(connection.id, "campaign")
            recorded = {} if self.full else self.campaign_records.entries(connection.id)
            titles = []
            for page in listed:
                if self.only_campaigns is not None and page.title not in self.only_campaigns:
                    continue
                digest = self._rows_digest(page.title)
                self.campaign_digests[page.title] = digest
                entry = recorded.get(page.title)
                if entry is not None and entry.revid == page.revid and entry.digest == digest:
                    continue  # neither the page nor its events changed
                titles.append(page.title)
            known = self.campaigns.texts if self.campaigns else {}  # read in this run already
            unread = [t for t in titles if t not in known]
            texts = read_texts(connection, unread) if unread else {}
        except WikiError as error:
            self.summary.error(f"{connection.id}: cannot list campaign pages: {error}")
            return
        self.summary.read(connection.id, len(texts))
        texts.update({t: known[t] for t in titles if t in known})
        self.campaign_pages = [page for page in texts.values() if page.exists]

    def _sync_campaign_page(self, page: PageText) -> None:
        hub_pass = self._pass(self.settings.hub_id)
        connection = hub_pass.connection
        reading = read_campaign(
            page.text,
            title=page.title,
            wiki=connection.id,
            manifest=hub_pass.manifest,
            wiki_ids=set(self.settings.wikis),
        )
        for problem in reading.errors:
            self.summary.warn(str(problem))
        if reading.model is None:
            self.summary.error(f"{connection.id}:{page.title}: campaign not read, see above")
            return
        self._sync_campaign(hub_pass, reading.model, page)

    def _sync_campaign(self, hub_pass: WikiPass, campaign: Campaign, page: PageText) -> None:
        manifest = hub_pass.manifest
        final_rows: list[list[EventRow]] = [[]]

        def transform(current: PageText) -> str:
            try:
                region = find_region(current.text, EVENTS_REGION, current.title)
            except RegionError as error:
                raise TransformError(str(error)) from error
            previous = (
                campaign_table.read_table(region.content(current.text), manifest) if region else []
            )
            rows, notes = self._campaign_rows(campaign, previous)
            for note in notes:
                self.summary.warn(f"{hub_pass.connection.id}:{current.title}: {note}")
            final_rows[0] = rows
            content = campaign_table.render_table(rows, manifest)
            try:
                return put_region(
                    current.text,
                    EVENTS_REGION,
                    content,
                    current.title,
                    [manifest.frame_name("campaign_bot_region")],
                )
            except RegionError as error:
                raise TransformError(str(error)) from error

        def summary(_page: PageText, _text: str) -> str:
            rows = final_rows[0]
            total = sum(r.number("participants") for r in rows)
            return self._summary_text(f"events table: {len(rows)} events, {total} participants")

        result = self._write(
            hub_pass, EditRequest(page.title, transform, summary, create=False, current=page)
        )
        if result.wrote and not result.merged and not result.conflicts:
            self.own_campaign_edits[page.title] = (page.revid, result.revid)
        if result.outcome is EditOutcome.FAILED or result.outcome is EditOutcome.SKIPPED:
            return
        data = self._write_data(hub_pass, campaign.page.title, final_rows[0])
        done = (EditOutcome.SAVED, EditOutcome.CREATED, EditOutcome.UNCHANGED)
        if result.outcome in done and all(r.outcome in done for r in data):
            self.campaign_records.record(
                hub_pass.connection.id,
                PageRecord(
                    page.title,
                    result.revid if result.wrote else page.revid,
                    self.campaign_digests.get(page.title, ""),
                ),
            )

    def _write_data(self, hub_pass: WikiPass, title: str, rows: list[EventRow]) -> list[EditResult]:
        json_title, geojson_title = campaign_data.data_titles(title)
        documents = {
            json_title: campaign_data.events_json(title, rows, self.now()),
            geojson_title: campaign_data.events_geojson(title, rows),
        }
        results = []
        for data_title, document in documents.items():

            def transform(current: PageText, document: str = document) -> str:
                if current.exists and campaign_data.without_as_of(
                    current.text
                ) == campaign_data.without_as_of(document):
                    return current.text
                return document

            results.append(
                self._write(
                    hub_pass,
                    EditRequest(
                        data_title,
                        transform,
                        self._summary_text("campaign data for maps and tools"),
                        contentmodel="json",
                        minor=True,
                    ),
                )
            )
        return results

    # --- the task -----------------------------------------------------------------

    def _campaign_tree(self, run: BotRun) -> None:
        """Who is part of whom, from the campaign register (pages read only when changed).

        A parent campaign's table lists its children's events too, so a run for
        a campaign also takes the campaigns that are part of it.
        """
        hub_id = self.settings.hub_id
        try:
            self.campaigns = hub_campaigns(
                run, CampaignState.beside(self.state), dry_run=self.dry_run
            )
        except WikiError as error:
            self.summary.error(f"{hub_id}: cannot list campaign pages: {error}")
            return
        self.tree = self.campaigns.tree
        for problem in self.tree.problems:
            self.summary.warn(f"{hub_id}: {problem}")
        self.targets |= {d for t in set(self.targets) for d in self.tree.descendants(t)}

    def setup(self, run: BotRun) -> None:
        """List and read what changed, count every event's participants, read the campaigns."""
        self.users: dict[str, dict[str, UserInfo]] = {}
        self._campaign_tree(run)
        for wiki_id in self.settings.wikis:
            self._list_events(self._pass(wiki_id))
        for wiki_id in self.settings.wikis:
            wiki_pass = self._pass(wiki_id)
            if wiki_pass.failed or (self.only_wiki is not None and self.only_wiki != wiki_id):
                continue
            changed = self._changed_events(wiki_pass, self._pages_to_read())
            self._read_event_pages(wiki_pass, changed, self.targets or None)
        if self.targets:
            listed = {t for p in self.passes.values() for t in p.listed}
            named_events = {
                o.campaign for o in self.outcomes.values() if o.event is not None or o.problem
            }
            wider = {a for title in named_events for a in self.tree.ancestors(title)}
            self.only_campaigns = named_events | wider | (self.targets - listed)
        self._read_campaign_pages()
        self._report_broken_events()

    def _report_broken_events(self) -> None:
        """Pages with a ``{{Campaign event|`` that MediaWiki does not count (never closed).

        Looked for, on ``--full`` runs (nightly), among the pages that link to
        a campaign page or are its subpages: of every campaign, or of the
        campaigns asked for. That costs requests per campaign, so the runs
        that follow each organizer's save (a page and its campaign) skip it;
        a page asked for by name that is no event page is always looked at.
        See :mod:`bot.sync.broken_events`.
        """
        hub_id = self.settings.hub_id
        try:
            campaigns = {p.title for p in self.bot_run.listing.embedding(hub_id, "campaign")}
        except WikiError:
            return  # reported where the campaigns are listed
        listed = {t for p in self.passes.values() for t in p.listed}
        asked = self.targets - listed - campaigns
        if not self.full:
            campaigns = set()
        elif self.targets:
            campaigns &= self.targets
        if not campaigns and not asked:
            return
        for wiki_id, wiki_pass in self.passes.items():
            if wiki_pass.failed or (self.only_wiki is not None and self.only_wiki != wiki_id):
                continue
            connection = wiki_pass.connection
            local = wiki_pass.manifest.template("campaign_event")
            try:
                candidates = set(asked)
                if campaigns and wiki_id == hub_id:
                    candidates |= broken_events.linking_to_campaigns(connection, campaigns)
                    candidates |= broken_events.subpages_of(connection, campaigns)
                elif campaigns:
                    candidates |= broken_events.linking_from_elsewhere(connection, campaigns)
                candidates -= set(wiki_pass.listed) | campaigns
                broken = broken_events.read_candidates(connection, candidates, local)
            except read_failures() as error:
                self.summary.error(f"{wiki_id}: cannot look for broken event pages: {error}")
                continue
            for found in broken:
                self.summary.error(str(found))

    def _pages_to_read(self) -> set[str] | None:
        """A run for named event pages reads only those; any other run reads what changed.

        A named campaign needs every changed event read: one of them may have
        just joined it.
        """
        if not self.targets:
            return None
        events = {title for p in self.passes.values() for title in p.listed}
        if self.targets <= events:
            return set(self.targets)
        return None

    def items(self, run: BotRun) -> Iterable[WorkItem]:
        """Campaign pages first (what organizers read), then event pages by date."""
        hub = self.settings.hub_id
        for page in self.campaign_pages:
            asked = page.title in self.targets
            yield WorkItem(
                self.name,
                hub,
                page.title,
                Priority.REQUESTED if asked else Priority.CAMPAIGN,
                (page.title,),
                payload=page,
            )
        now = self.now()
        for entry in self.to_write:
            asked = entry.page.title in self.targets
            yield WorkItem(
                self.name,
                entry.outcome.wiki,
                entry.page.title,
                Priority.REQUESTED if asked else Priority.EVENT,
                event_order(entry.event, now),
                payload=entry,
            )

    def treat(self, run: BotRun, item: WorkItem) -> None:
        """Write one campaign's table and data pages, or one event's participants table."""
        if isinstance(item.payload, EventToWrite):
            self._write_event_page(item.payload)
        else:
            self._sync_campaign_page(item.payload)

    # --- the run -------------------------------------------------------------------

    def run(self, targets: Iterable[str] = (), wiki: str | None = None) -> RunSummary:
        """Sync everything tracked, or only the given event/campaign pages (or one wiki)."""
        if wiki is not None:
            self.settings.wiki(wiki)  # a ConfigError naming the known wikis
        self.targets = {t.replace("_", " ").strip() for t in targets}
        self.only_wiki = wiki
        if self.exclusive and not self.targets and not self.dry_run:
            # A scheduled run: one at a time per wiki. Pages someone asked for
            # (targets) are synced at once, beside it: page locks keep them apart.
            wikis = [wiki] if wiki else list(self.settings.wikis)
            self.bot_run.lease = RunLease(
                self.settings.database_url, "sync", wikis, self.summary.run_id
            )
        tasks: list[BotTask] = [self]
        if self.worklists:
            tasks.append(
                WorklistTask(
                    self.farm,
                    self.settings,
                    self.summary,
                    targets=self.targets,
                    wiki=wiki,
                    dry_run=self.dry_run,
                    locks=self.locks,
                    now=self.now,
                    full=self.full,
                )
            )
        if self.calendar and self.settings.calendar_page:
            from bot.calendar.job import CalendarTask

            tasks.append(
                CalendarTask(
                    self.farm,
                    self.settings,
                    state=self.state,
                    dry_run=self.dry_run,
                    full=self.full,
                    now=self.now,
                    fresh=self.calendar_rows,
                    campaigns=lambda: self.campaigns,
                )
            )
        return self.bot_run.execute(tasks)

    def teardown(self, run: BotRun) -> None:
        """Campaign pages saved by this run keep their fields: the register follows them."""
        if self.own_campaign_edits and not self.dry_run:
            CampaignState.beside(self.state).follow(self.settings.hub_id, self.own_campaign_edits)

    def calendar_rows(self) -> dict[tuple[str, str], tuple[str, dict[str, str]]]:
        """The events read in this run, as the calendar takes them: campaign and row values."""
        now = self.now()
        return {
            key: (outcome.campaign, outcome.row(now).values)
            for key, outcome in self.outcomes.items()
            if outcome.event is not None
        }
