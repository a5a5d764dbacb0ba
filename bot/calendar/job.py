"""The movement-wide calendar: every campaign's events on one hub page and one data page.

A :class:`CalendarTask` runs in the same :class:`~bot.run.loop.BotRun` as the
sync (``SyncJob.run`` adds it to its task list), so the run's one listing of
each wiki's event pages is shared and nothing is read twice. ``campaignkit
calendar`` runs it alone, from what earlier runs recorded. One run, in order:

1. Setup: the hub's campaign pages (name, topics, parent), from the campaign
   register, reading only pages whose revision changed and that the sync did
   not already read (:mod:`bot.run.campaign_state`). Every listed event page's
   row: read by the sync in this run, else recorded at its current revision
   (:class:`~bot.run.page_state.PageState`). An event whose wiki cannot be
   listed, or whose page changed but was not read in this run (a targeted
   run), keeps its previous row from the data page — a failed source is not an
   empty list — and only then is the data page read.
2. The document is built (:mod:`campaignkit.codecs.calendar_data`) and the
   calendar page's region rendered (:mod:`bot.calendar.page`). Each is
   compared *as data, without its "as of" time* with what was last written
   (a digest in the task's page records): when neither changed, the task
   has no items and costs no request at all.
3. Items, at :attr:`Priority.CALENDAR` (after the campaign tables, before the
   event pages): the data page first (embedded lists and the webservice read
   it), then the calendar page; each saved through the run's one writer.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from babel import Locale

from bot.calendar.memory import CalendarMemory
from bot.calendar.page import CalendarPage, locale_for, without_as_of
from bot.run.campaign_state import Campaigns, CampaignState, hub_campaigns
from bot.run.loop import BotRun, BotTask, Priority, WorkItem
from bot.run.page_state import PageRecord, PageRecords, PageState
from campaignkit.codecs import calendar_data
from campaignkit.codecs.calendar_data import CalendarData
from campaignkit.config import Settings
from campaignkit.contract import CALENDAR_REGION
from campaignkit.wiki.batch import PageText, read_texts
from campaignkit.wiki.connection import WikiFarm
from campaignkit.wiki.editing import EditOutcome, EditRequest, TransformError
from campaignkit.wiki.errors import WikiError
from campaignkit.wikitext.regions import RegionError, find_region, put_region

log = logging.getLogger(__name__)

FreshEvents = Mapping[tuple[str, str], tuple[str, Mapping[str, str]]]
"""Events read in this run: (wiki, title) -> (campaign title, row values)."""

DONE = (EditOutcome.SAVED, EditOutcome.CREATED, EditOutcome.UNCHANGED)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def display_names(events: Iterable[dict[str, Any]], locale: Locale) -> dict[str, dict[str, str]]:
    """CLDR names of the events' countries and languages, in the hub's language."""
    countries: dict[str, str] = {}
    languages: dict[str, str] = {}
    for event in events:
        code = event.get("country") or ""
        if code and code not in countries:
            countries[code] = locale.territories.get(code, code)
        code = event.get("language") or ""
        if code and code not in languages:
            languages[code] = locale.languages.get(code.replace("-", "_"), code)
    return {"countries": countries, "languages": languages}


@dataclass
class Calendar:
    """What this run computed: the document, its reading, and the page region's body."""

    document: dict[str, Any]
    data: CalendarData
    body: str
    kept: list[str] = field(default_factory=list)  # why previous rows were kept


class CalendarTask(BotTask):
    """Keeps ``calendar_page`` and ``<calendar_page>/events.json`` on the hub."""

    name = "calendar"

    def __init__(
        self,
        farm: WikiFarm,
        settings: Settings,
        *,
        state: PageState | None = None,
        dry_run: bool = False,
        full: bool = False,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        fresh: Callable[[], FreshEvents] | None = None,
        campaigns: Callable[[], Campaigns | None] | None = None,
    ) -> None:
        self.farm = farm
        self.settings = settings
        self.state = state or PageState(settings.database_url)
        self.dry_run = dry_run or farm.simulate
        self.full = full
        self.now = now
        self.fresh = fresh or (lambda: {})
        self.known_campaigns = campaigns or (lambda: None)
        self.records = PageRecords.beside(self.state, "calendar")
        self.campaign_state = CampaignState.beside(self.state)
        self.memory = CalendarMemory(self.state)
        self.renderer = CalendarPage(settings)
        self.calendar: Calendar | None = None
        self.campaigns: Campaigns | None = None
        self.pending: dict[str, str] = {}  # title -> digest of what will be written

    @property
    def page_title(self) -> str:
        """The calendar page on the hub."""
        return self.settings.calendar_page

    @property
    def data_title(self) -> str:
        """The JSON data page beside it."""
        return calendar_data.data_title(self.settings.calendar_page)

    # --- setup -------------------------------------------------------------------

    def _previous(self, run: BotRun) -> CalendarData:
        """The document last saved: remembered, else read from the data page."""
        remembered = self.memory.load(self.data_title)
        if remembered is not None:
            return remembered
        page = read_texts(run.farm[self.settings.hub_id], [self.data_title])[self.data_title]
        run.summary.read(self.settings.hub_id)
        if not page.exists:
            return CalendarData()
        data = calendar_data.read_document(page.text)
        if not data.readable:
            run.summary.warn(
                f"{self.settings.hub_id}:{self.data_title}: not calendar data as the bot writes "
                "it; rows that cannot be read now are left out"
            )
        return data

    def _events(self, run: BotRun, now: datetime) -> tuple[list[dict[str, Any]], list[str]]:
        """Every listed event's calendar entry; previous rows for what cannot be known now."""
        fresh = self.fresh()
        found: dict[tuple[str, str], dict[str, Any]] = {}
        keep: set[tuple[str, str]] = set()  # listed but not known at its current revision
        keep_wikis: dict[str, str] = {}  # wiki -> why it could not be listed
        for wiki_id in self.settings.wikis:
            try:
                listed = run.listing.embedding(wiki_id, "campaign_event")
            except WikiError as error:
                keep_wikis[wiki_id] = str(error)
                continue
            recorded = self.state.entries(wiki_id)
            for page in listed:
                key = (wiki_id, page.title)
                if key in fresh:
                    campaign, values = fresh[key]
                else:
                    entry = recorded.get(page.title)
                    if entry is None or not entry.row or entry.revid != page.revid:
                        keep.add(key)
                        continue
                    campaign, values = entry.campaign, entry.row
                item = calendar_data.calendar_event(values, now)
                if item is not None and campaign:
                    item["campaign"] = campaign
                    found[key] = item
        notes: list[str] = []
        if keep or keep_wikis:
            previous = self._previous(run)
            for event in previous.events:
                key = (event.get("wiki", ""), event.get("event", ""))
                if key in keep or key[0] in keep_wikis:
                    event["status"] = calendar_data.status_at(
                        event["start_utc"], event["end_utc"], now
                    )
                    found[key] = event
            for wiki_id, why in sorted(keep_wikis.items()):
                notes.append(f"kept the previous calendar rows of {wiki_id}: {why}")
            unknown = sorted(k for k in keep if k not in found)
            if unknown:
                notes.append(
                    f"{len(unknown)} event page(s) changed since last read and not read in this "
                    f"run (first: {unknown[0][0]}:{unknown[0][1]}); the next full run adds them"
                )
        return list(found.values()), notes

    def build(self, run: BotRun) -> Calendar:
        """The calendar as of now: its data document and its page body."""
        now = self.now()
        self.campaigns = self.known_campaigns()  # the sync's, when it runs beside it
        if self.campaigns is None:
            self.campaigns = hub_campaigns(run, self.campaign_state, dry_run=self.dry_run)
            for problem in self.campaigns.tree.problems:
                run.summary.warn(f"{self.settings.hub_id}: {problem}")
        events, notes = self._events(run, now)
        section = calendar_data.campaigns_section(
            self.campaigns.infos, self.campaigns.tree, (e["campaign"] for e in events)
        )
        names = display_names(events, locale_for(self.settings.hub.lang))
        document = calendar_data.build_document(self.page_title, events, section, names, now)
        data = calendar_data.read_document(calendar_data.dumps(document))
        return Calendar(document, data, self.renderer.body(data, now), notes)

    def setup(self, run: BotRun) -> None:
        """Build the calendar and decide which of the two pages need a save."""
        if not self.page_title:
            return
        self.calendar = self.build(run)
        for note in self.calendar.kept:
            run.summary.warn(f"{self.settings.hub_id}:{self.page_title}: {note}")
        wanted = {
            self.data_title: _digest(calendar_data.comparable(self.calendar.document)),
            self.page_title: _digest(self.calendar.body),
        }
        recorded = {} if self.full else self.records.entries(self.settings.hub_id)
        self.pending = {
            title: digest
            for title, digest in wanted.items()
            if title not in recorded or recorded[title].digest != digest
        }

    # --- items -------------------------------------------------------------------

    def items(self, run: BotRun) -> Iterable[WorkItem]:
        """The data page, then the calendar page, when what they would hold changed."""
        for order, title in enumerate((self.data_title, self.page_title)):
            if title in self.pending:
                yield WorkItem(self.name, self.settings.hub_id, title, Priority.CALENDAR, (order,))

    def _record(self, title: str, revid: int) -> None:
        if not self.dry_run:
            self.records.record(self.settings.hub_id, PageRecord(title, revid, self.pending[title]))

    def _write_data(self, run: BotRun) -> None:
        assert self.calendar is not None
        document = self.calendar.document
        wanted = calendar_data.comparable(document)

        def transform(current: PageText) -> str:
            if current.exists and calendar_data.comparable(current.text) == wanted:
                return current.text
            return calendar_data.dumps(document)

        totals = document["totals"]
        result = run.writer.write(
            self.settings.hub_id,
            EditRequest(
                self.data_title,
                transform,
                run.writer.summary_text(
                    f"calendar data: {totals['events']} events of {totals['campaigns']} campaigns"
                ),
                contentmodel="json",
                minor=True,
            ),
        )
        if result.outcome in DONE:
            self._record(self.data_title, result.revid or 0)
            if not self.dry_run:
                self.memory.save(self.data_title, calendar_data.dumps(document))

    def _write_page(self, run: BotRun) -> None:
        assert self.calendar is not None
        calendar = self.calendar
        content = self.renderer.content(calendar.data, self.now())
        hub_manifest = run.listing.manifest(self.settings.hub_id)
        placeholder = [hub_manifest.frame_name("campaign_bot_region")]

        def transform(current: PageText) -> str:
            text = current.text if current.exists else self.renderer.new_page_intro()
            try:
                region = find_region(text, CALENDAR_REGION, self.page_title)
                if region is not None and without_as_of(region.content(text)) == calendar.body:
                    return text
                return put_region(text, CALENDAR_REGION, content, self.page_title, placeholder)
            except RegionError as error:
                raise TransformError(str(error)) from error

        upcoming = calendar.document["totals"]
        result = run.writer.write(
            self.settings.hub_id,
            EditRequest(
                self.page_title,
                transform,
                run.writer.summary_text(
                    f"calendar: {upcoming['ongoing']} ongoing and {upcoming['upcoming']} "
                    "upcoming events"
                ),
                minor=False,
            ),
        )
        if result.outcome in DONE:
            self._record(self.page_title, result.revid or 0)

    def treat(self, run: BotRun, item: WorkItem) -> None:
        """Save the data page or the calendar page."""
        if item.title == self.data_title:
            self._write_data(run)
        else:
            self._write_page(run)


def run_calendar(
    farm: WikiFarm,
    settings: Settings,
    *,
    dry_run: bool = False,
    full: bool = False,
    locks: Any = None,
    state: PageState | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> tuple[BotRun, CalendarTask]:
    """``campaignkit calendar``: the calendar alone, from what earlier runs recorded."""
    run = BotRun(farm, settings, "calendar", locks=locks, dry_run=dry_run, now=now)
    task = CalendarTask(farm, settings, state=state, dry_run=run.dry_run, full=full, now=now)
    run.execute([task])
    return run, task
