"""``campaignkit metrics``: measure every event, write the ``metrics`` regions, keep snapshots.

One run:

1. On each wiki, list the pages that transclude ``{{Campaign event}}``, with their
   text (batched), and read each event.
2. Per wiki, check every signed-up name at once and keep the valid sign-ups.
3. Per event that has started: read the participants' edits in the window from the
   source (Action API or Wiki Replicas), deleted creations, retention once 7 days
   have passed since the end, and worklist items done; the references their article
   edits added (revision texts through the API, remembered per revision); their
   uploads to the file wiki and where those files are used; their Wikidata edits;
   compute the figures and the progress toward the page's goals.
4. Write the event page's ``metrics`` region (through ``apply_edit``: conflicts,
   nobots, read-back), only when a figure changed — a new "as of" time alone is
   not worth an edit.
5. On the hub, write each campaign page's region: totals and a row per event.
6. Store a snapshot of every page's figures, and each event's figures per
   participant (for the thank-you messages of ``campaignkit notify``).

A source that fails for an event leaves the event page as it was and its
campaign row at the last good figures (from the snapshots), with the error in
the run summary: a failed source never empties a table. One bad page never
stops the run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.metrics import report as reports
from bot.metrics.compute import (
    EventResult,
    UploadsSeen,
    campaign_totals,
    event_figures,
    retention_due,
)
from bot.metrics.definitions import (
    ContributionSource,
    EventWindow,
    Participant,
    SourceError,
    is_article_work,
)
from bot.metrics.event_participants import participants_of_events
from bot.metrics.participant_snapshots import ParticipantSnapshots
from bot.metrics.references import ReferenceCounter
from bot.metrics.report import CampaignReport, EventReport
from bot.metrics.snapshots import SnapshotStore
from bot.metrics.wikidata import WikidataEdits
from bot.metrics.worklist_progress import worklist_done
from bot.run.lease import RunLease
from bot.run.loop import BotRun, BotTask, PageListing, Priority, WorkItem
from bot.run.summary import RunSummary
from bot.run.writer import PageWriter
from bot.worklists.sources import normalize_title
from campaignkit.campaign_tree import CampaignTree, build_tree
from campaignkit.codecs import campaign_data
from campaignkit.codecs.usernames import UserNamespaces
from campaignkit.config import Settings
from campaignkit.contract import METRICS_REGION
from campaignkit.locks import PageLocks
from campaignkit.manifest import Manifest, load_manifest
from campaignkit.model import Campaign, CampaignEvent, Reading, read_campaign, read_event
from campaignkit.wiki.batch import PageText
from campaignkit.wiki.connection import WikiConnection, WikiFarm
from campaignkit.wiki.discovery import pages_embedding
from campaignkit.wiki.editing import (
    EditRequest,
    EditResult,
    TransformError,
)
from campaignkit.wiki.errors import WikiError
from campaignkit.wikitext.regions import RegionError, find_region, insert_region, replace_region

REGION = METRICS_REGION


@dataclass
class MetricsRun:
    """What a run measured (also what ``campaignkit report`` prints)."""

    summary: RunSummary
    events: dict[tuple[str, str], EventReport] = field(default_factory=dict)
    results: dict[tuple[str, str], EventResult] = field(default_factory=dict)
    campaigns: dict[str, CampaignReport] = field(default_factory=dict)
    writes: list[EditResult] = field(default_factory=list)
    in_progress: str = ""  # another metrics run holds the lease: this one did nothing
    unreadable: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    """Event pages of this run whose template cannot be read, with their problems."""


@dataclass
class _Wiki:
    connection: WikiConnection
    manifest: Manifest
    namespaces: UserNamespaces
    events: list[tuple[PageText, CampaignEvent]] = field(default_factory=list)
    failed: str = ""
    event_titles: set[str] = field(default_factory=set)  # every page with {{Campaign event}}


def _default_source(farm: WikiFarm) -> ContributionSource:
    from bot.metrics.api_source import ApiSource

    return ApiSource(farm)


class MetricsJob(BotTask):
    """The metrics task: every event measured and written, then every campaign."""

    name = "metrics"

    def __init__(
        self,
        farm: WikiFarm,
        settings: Settings,
        summary: RunSummary,
        *,
        source: ContributionSource | None = None,
        store: SnapshotStore | None = None,
        locks: PageLocks | None = None,
        dry_run: bool = False,
        write: bool = True,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.farm = farm
        self.settings = settings
        self.summary = summary
        self.source = source or _default_source(farm)
        self.store = store or SnapshotStore(settings.database_url)
        self.locks = locks or PageLocks(None, settings.redis_prefix)
        self.dry_run = dry_run or farm.simulate
        self.write = write
        self.now = now
        self.run = MetricsRun(summary)
        self.writer = PageWriter(farm, settings, summary, locks=self.locks, dry_run=self.dry_run)
        self.wikis: dict[str, _Wiki] = {}
        self.targets: set[str] = set()
        self.chosen: list[tuple[_Wiki, PageText, CampaignEvent]] = []
        self.people: dict[tuple[str, str], list[Participant] | RegionError] = {}
        self.worklists: dict[str, dict[str, int]] = {}
        self.campaign_pages: list[tuple[PageText, Campaign]] = []
        self.references = ReferenceCounter(settings.database_url)
        self.participant_store = ParticipantSnapshots(settings.database_url)
        self.started = now()
        self.campaign_titles: set[str] = set()  # every campaign page on the hub
        self.tree = CampaignTree()  # who is part of whom, from the campaign pages
        self.campaign_readings: list[tuple[PageText, Reading[Campaign]]] = []
        self.bookkeeping: dict[str, frozenset[str]] = {}  # wiki -> the campaigns' own pages
        self.others_unreadable = 0
        self.listing: PageListing | None = None  # the run's one listing, from setup

    # --- helpers ---------------------------------------------------------------

    def _wiki(self, wiki_id: str) -> _Wiki:
        if wiki_id not in self.wikis:
            connection = self.farm[wiki_id]
            self.wikis[wiki_id] = _Wiki(
                connection,
                load_manifest(wiki_id, connection.config.lang),
                UserNamespaces.english(),
            )
        return self.wikis[wiki_id]

    def _summary_text(self, what: str) -> str:
        return self.writer.summary_text(f"metrics: {what}")

    def _save(self, wiki: _Wiki, request: EditRequest) -> EditResult:
        result = self.writer.write(wiki.connection.id, request)
        self.run.writes.append(result)
        return result

    def _write_region(self, wiki: _Wiki, title: str, content: str, what: str) -> EditResult:
        placeholder = [wiki.manifest.frame_name("campaign_bot_region")]

        def transform(page: PageText) -> str:
            try:
                region = find_region(page.text, REGION, page.title)
                if region is None:
                    return insert_region(page.text, REGION, content, page.title, placeholder)
                old = region.content(page.text)
                if reports.without_as_of(old) == reports.without_as_of(content):
                    return page.text  # only the time would change: no edit
                return replace_region(page.text, REGION, content, page.title)
            except RegionError as error:
                raise TransformError(str(error)) from error

        return self._save(
            wiki, EditRequest(title, transform, self._summary_text(what), create=False)
        )

    # --- step 1 and 2: events and participants -----------------------------------

    def _list_events(self, wiki: _Wiki) -> None:
        connection = wiki.connection
        template = wiki.manifest.template("campaign_event")
        try:
            wiki.namespaces = UserNamespaces.from_site(connection.site)
            pages = pages_embedding(connection, [template.name])
        except WikiError as error:
            wiki.failed = str(error)
            self.summary.error(f"{connection.id}: cannot list event pages: {error}")
            return
        self.summary.read(connection.id, len(pages))
        wiki.event_titles = {page.title for page in pages}
        for page in pages:
            reading = read_event(
                page.text,
                title=page.title,
                wiki=connection.id,
                manifest=wiki.manifest,
                wiki_ids=set(self.settings.wikis),
                hub_id=self.settings.hub_id,
            )
            if reading.model is None:
                campaign = str(reading.values.get("campaign") or "")
                if self.targets and not {page.title, campaign} & self.targets:
                    # Someone else's page: a run for other pages does not fail on it.
                    self.others_unreadable += 1
                    continue
                for problem in reading.errors:
                    self.summary.error(str(problem))
                self.run.unreadable[(connection.id, page.title)] = [
                    str(p) for p in reading.problems
                ]
                continue
            wiki.events.append((page, reading.model))

    @staticmethod
    def _targeted(event: CampaignEvent, targets: set[str]) -> bool:
        return not targets or event.page.title in targets or event.campaign in targets

    # --- step 3 and 4: one event ----------------------------------------------------

    def _nothing_yet(self) -> dict[str, object]:
        """The extra figures of an event with no edits yet: 0 where a wiki is configured."""
        extras: dict[str, object] = {}
        if self.settings.file_wiki:
            extras["uploads"] = UploadsSeen((), {})
        if self.settings.wikidata_wiki:
            extras["wikidata"] = WikidataEdits(self.settings.wikidata_wiki, ())
        return extras

    def _upload_category(self, event: CampaignEvent) -> str:
        """The event's ``upload_category``, else its campaign's (a campaign-wide category)."""
        if event.upload_category:
            return event.upload_category
        for page, campaign in self.campaign_pages:
            if page.title == event.campaign:
                return campaign.upload_category
        return ""

    def _uploads(self, event: CampaignEvent, names: list[str], window: EventWindow) -> UploadsSeen:
        """Participants' uploads to the file wiki in the window, and the pages that use them."""
        category = self._upload_category(event)
        found = self.source.uploads(
            self.settings.file_wiki, names, window.start, window.end, category
        )
        usage = self.source.file_usage(list(self.settings.wikis), [u.name for u in found])
        return UploadsSeen(tuple(found), usage, category)

    def _measure(
        self,
        event: CampaignEvent,
        participants: list[Participant],
        worklist: int | None,
        now: datetime,
    ) -> EventResult:
        if now < event.start_utc:  # upcoming: only the sign-ups are known
            window = EventWindow(event.wiki, event.start_utc, event.end_utc)
            return event_figures(
                participants, window, [], worklist_done=worklist, **self._nothing_yet()
            )
        window = EventWindow(event.wiki, event.start_utc, min(event.end_utc, now))
        names = [p.name for p in participants]
        if not names:
            return event_figures(
                participants, window, [], worklist_done=worklist, **self._nothing_yet()
            )
        contributions = self.source.contributions(event.wiki, names, window.start, window.end)
        bookkeeping = self.bookkeeping.get(event.wiki, frozenset())
        references = self.references.added(
            self.farm[event.wiki],
            [c for c in contributions if is_article_work(c, bookkeeping)],
            self._wiki(event.wiki).manifest.references,
        )
        uploads = self._uploads(event, names, window) if self.settings.file_wiki else None
        wikidata = None
        if self.settings.wikidata_wiki:
            wikidata = WikidataEdits.of(
                self.settings.wikidata_wiki,
                self.source.contributions(
                    self.settings.wikidata_wiki, names, window.start, window.end
                ),
            )
        known = self.store.created(event.page.wiki, event.page.title)
        deleted = self.source.deleted_creations(
            event.wiki, names, window.start, window.end, known=known
        )
        edited_after = None
        full_window = EventWindow(event.wiki, event.start_utc, event.end_utc)
        if retention_due(full_window, now):
            new_editors = [p.name for p in participants if p.new_editor]
            edited_after = (
                self.source.edited_after(event.wiki, new_editors, full_window.retention_after)
                if new_editors
                else set()
            )
        return event_figures(
            participants,
            window,
            contributions,
            deleted,
            edited_after,
            worklist,
            references=references,
            uploads=uploads,
            wikidata=wikidata,
            bookkeeping=bookkeeping,
        )

    def _report(
        self, event: CampaignEvent, result: EventResult, now: datetime, kept: bool = False
    ) -> EventReport:
        return EventReport(
            wiki=event.page.wiki,
            page=event.page.title,
            campaign=event.campaign,
            name=event.name,
            edit_wiki=event.wiki,
            start=event.start_utc,
            end=event.end_utc,
            timezone=event.timezone,
            figures=result.figures,
            as_of=now,
            source=self.source.name,
            per_participant=result.per_participant,
            created=result.created,
            deleted=result.deleted,
            kept=kept,
            goals=event.goals(),
        )

    def _kept_report(self, event: CampaignEvent) -> EventReport | None:
        last = self.store.latest(event.page.wiki, event.page.title)
        if last is None:
            return None
        return EventReport(
            wiki=event.page.wiki,
            page=event.page.title,
            campaign=event.campaign,
            name=event.name,
            edit_wiki=event.wiki,
            start=event.start_utc,
            end=event.end_utc,
            timezone=event.timezone,
            figures=last.figures,
            as_of=last.taken,
            source=last.source,
            kept=True,
            goals=event.goals(),
        )

    def _participants_of_wiki(self, wiki: _Wiki, targets: set[str]) -> None:
        """Every chosen event's valid sign-ups on one wiki, in batched requests."""
        connection = wiki.connection
        chosen = [(p, e) for p, e in wiki.events if self._targeted(e, targets)]
        if not chosen:
            return
        try:
            people = participants_of_events(connection, chosen, wiki.manifest, wiki.namespaces)
            self.worklists[connection.id] = worklist_done(
                connection, [e.worklist for _p, e in chosen if e.worklist], wiki.manifest
            )
        except WikiError as error:
            self.summary.error(f"{connection.id}: cannot read participants: {error}")
            for _page, event in chosen:
                self._keep(event)
            return
        for page, event in chosen:
            self.people[(connection.id, page.title)] = people[page.title]
            self.chosen.append((wiki, page, event))

    def _measure_event(self, wiki: _Wiki, page: PageText, event: CampaignEvent) -> None:
        """One event's figures, written to its page (a failed source keeps the last ones)."""
        connection = wiki.connection
        now = self.started
        found = self.people[(connection.id, page.title)]
        if isinstance(found, RegionError):
            self.summary.error(f"{connection.id}:{page.title}: {found}")
            self._keep(event)
            return
        worklists = self.worklists.get(connection.id, {})
        try:
            result = self._measure(event, found, worklists.get(event.worklist), now)
        except SourceError as error:
            self.summary.error(
                f"{connection.id}:{page.title}: {self.source.name} source failed, "
                f"keeping the last good figures: {error}"
            )
            self._keep(event)
            return
        key = (connection.id, page.title)
        report = self._report(event, result, now)
        self.run.events[key] = report
        self.run.results[key] = result
        if self.write:
            self._write_region(
                wiki,
                page.title,
                reports.event_region(report, wiki.manifest),
                f"{result.figures.participants} participants, {result.figures.edits} edits",
            )

    def _keep(self, event: CampaignEvent) -> None:
        kept = self._kept_report(event)
        if kept is not None:
            self.run.events[(event.page.wiki, event.page.title)] = kept

    # --- step 5: campaigns ------------------------------------------------------------

    def _campaign_report(self, campaign: Campaign, now: datetime) -> CampaignReport:
        title = campaign.page.title
        # A campaign counts its own events and those of the campaigns part of it
        # ({{Campaign|parent=…}}); campaign_totals counts each person, revision,
        # article and file once however many of these events they are in.
        family = self.tree.family(title)
        events = [r for r in self.run.events.values() if r.campaign in family]
        fresh = [
            self.run.results[(r.wiki, r.page)]
            for r in events
            if not r.kept and (r.wiki, r.page) in self.run.results
        ]
        kept = [r for r in events if r.kept]
        listed = {(r.wiki, r.page) for r in events}
        snapshots = {
            key: snapshot
            for member in sorted(family)
            for key, snapshot in self.store.latest_events_of(member).items()
        }
        for key, snapshot in snapshots.items():
            wiki = self.wikis.get(key[0])
            if key in listed or wiki is None or not wiki.failed:
                continue  # measured now, or no longer an event of this campaign
            kept.append(
                EventReport(
                    wiki=key[0],
                    page=key[1],
                    campaign=title,
                    name=key[1],
                    edit_wiki="",
                    start=None,
                    end=None,
                    timezone="",
                    figures=snapshot.figures,
                    as_of=snapshot.taken,
                    source=snapshot.source,
                    kept=True,
                )
            )
            self.summary.warn(
                f"{key[0]}:{key[1]}: wiki not readable, campaign row keeps the figures "
                f"of {reports.as_of_text(snapshot.taken)}"
            )
        totals = campaign_totals(fresh, [r.figures for r in kept])
        rows = sorted(
            [r for r in events if not r.kept] + kept,
            key=lambda r: (iso_or_empty(r.start), r.wiki, r.page),
        )
        return CampaignReport(
            wiki=campaign.page.wiki,
            page=title,
            figures=totals,
            events=rows,
            as_of=now,
            source=self.source.name,
            goals=campaign.goals(),
        )

    def _list_campaigns(self) -> None:
        """Every campaign page of the hub, read once: who is part of whom, and their fields."""
        hub = self._wiki(self.settings.hub_id)
        connection = hub.connection
        template = hub.manifest.template("campaign")
        try:
            pages = pages_embedding(connection, [template.name])
        except WikiError as error:
            self.summary.error(f"{connection.id}: cannot list campaign pages: {error}")
            return
        self.campaign_titles = {page.title for page in pages}
        self.campaign_readings = [
            (
                page,
                read_campaign(
                    page.text,
                    title=page.title,
                    wiki=connection.id,
                    manifest=hub.manifest,
                    wiki_ids=set(self.settings.wikis),
                ),
            )
            for page in pages
        ]
        self.tree = build_tree(
            {page.title: r.model.parent if r.model else "" for page, r in self.campaign_readings}
        )
        for problem in self.tree.problems:
            self.summary.warn(f"{connection.id}: {problem}")

    def _read_campaigns(self, targets: set[str]) -> None:
        """The hub's campaign pages that this run reports on (and the wider ones they are in)."""
        wanted = {e.campaign for _w, _p, e in self.chosen} | targets
        wanted |= {r.campaign for r in self.run.events.values()}
        wanted |= {a for title in set(wanted) for a in self.tree.ancestors(title)}
        for page, reading in self.campaign_readings:
            if targets and page.title not in wanted:
                continue
            if reading.model is None:
                for problem in reading.errors:
                    self.summary.error(str(problem))
                continue
            self.campaign_pages.append((page, reading.model))

    def _report_campaign(self, page: PageText, campaign: Campaign) -> None:
        hub = self._wiki(self.settings.hub_id)
        connection = hub.connection
        campaign_report = self._campaign_report(campaign, self.started)
        self.run.campaigns[page.title] = campaign_report
        if self.write:
            totals = campaign_report.figures
            self._write_region(
                hub,
                page.title,
                reports.campaign_region(campaign_report, hub.manifest, connection.config.lang),
                f"{len(campaign_report.events)} events, {totals.participants} participants, "
                f"{totals.edits} edits",
            )

    # --- step 6: snapshots ---------------------------------------------------------------

    def _record(self, now: datetime) -> None:
        entries = [
            ("event", r.wiki, r.page, r.campaign, r.figures)
            for r in self.run.events.values()
            if not r.kept
        ]
        entries += [
            ("campaign", c.wiki, c.page, c.page, c.figures) for c in self.run.campaigns.values()
        ]
        self.store.record(self.summary.run_id, now, self.source.name, entries)
        for (wiki, page), result in self.run.results.items():
            self.store.remember_created(wiki, page, result.created)
            # Each participant's own figures, for the thank-you after the event.
            self.participant_store.replace(
                self.summary.run_id, now, wiki, page, result.per_participant
            )

    # --- the run ---------------------------------------------------------------------------

    def setup(self, run: BotRun) -> None:
        """Read every event and its sign-ups, and the campaigns to report on."""
        self.writer = run.writer
        self.summary = run.summary
        self.listing = run.listing
        self._list_campaigns()
        # A run for a campaign measures the events of the campaigns part of it too.
        self.targets |= {d for t in set(self.targets) for d in self.tree.descendants(t)}
        for wiki_id in self.settings.wikis:
            self._list_events(self._wiki(wiki_id))
        for wiki_id in self.settings.wikis:
            wiki = self._wiki(wiki_id)
            if not wiki.failed:
                self._participants_of_wiki(wiki, self.targets)
        self._read_campaigns(self.targets)
        self._find_bookkeeping()
        if self.others_unreadable:
            self.summary.warn(
                f"{self.others_unreadable} other event page(s) cannot be read; not part of "
                "this run (a run for them, or campaignkit sync, names them)"
            )

    def _find_bookkeeping(self) -> None:
        """The campaigns' own pages on each wiki: edits there are never article work.

        Campaign pages and their data subpages, event pages (where people sign
        up), worklist pages (where they claim articles) and the worklists that
        events name: listed, not guessed from titles, so that a campaign that
        keeps its pages in the main namespace does not count its bookkeeping
        as articles improved.
        """
        for wiki_id in self.settings.wikis:
            wiki = self._wiki(wiki_id)
            titles = set(wiki.event_titles)
            titles |= {normalize_title(e.worklist) for _p, e in wiki.events if e.worklist}
            if wiki_id == self.settings.hub_id:
                for campaign in self.campaign_titles:
                    titles |= {campaign, *campaign_data.data_titles(campaign)}
            template = wiki.manifest.template("worklist")
            try:
                listed = (
                    self.listing.embedding(wiki_id, "worklist")
                    if self.listing is not None
                    else pages_embedding(wiki.connection, [template.name], with_text=False)
                )
            except WikiError as error:
                self.summary.error(
                    f"{wiki_id}: cannot list worklist pages, so edits on them might count "
                    f"as article work: {error}"
                )
                listed = []
            titles |= {page.title for page in listed}
            self.bookkeeping[wiki_id] = frozenset(titles)

    def items(self, run: BotRun) -> Iterable[WorkItem]:
        """Events by start (their figures feed the campaigns), then the campaigns."""
        for wiki, page, event in self.chosen:
            yield WorkItem(
                self.name,
                wiki.connection.id,
                page.title,
                Priority.METRICS,
                (0, event.start_utc.timestamp()),
                payload=(wiki, page, event),
            )
        for page, campaign in self.campaign_pages:
            yield WorkItem(
                self.name,
                self.settings.hub_id,
                page.title,
                Priority.METRICS,
                (1, 0.0),
                payload=(page, campaign),
            )

    def treat(self, run: BotRun, item: WorkItem) -> None:
        """Measure one event, or report one campaign."""
        if len(item.payload) == 3:
            self._measure_event(*item.payload)
        else:
            self._report_campaign(*item.payload)

    def teardown(self, run: BotRun) -> None:
        """Store the snapshot of every page measured."""
        if self.write and not self.dry_run:
            self._record(self.started)

    def execute(
        self,
        targets: Iterable[str] = (),
        max_seconds: float | None = None,
        exclusive: bool = False,
    ) -> MetricsRun:
        """Measure everything, or only the named event or campaign pages, in a run of its own.

        ``exclusive`` (scheduled runs): one untargeted metrics run at a time.
        """
        self.started = self.now()
        self.targets = {t.replace("_", " ").strip() for t in targets if t.strip()}
        lease = None
        if exclusive and not self.targets and self.write and not self.dry_run:
            lease = RunLease(
                self.settings.database_url, self.name, self.settings.wikis, self.summary.run_id
            )
        bot_run = BotRun(
            self.farm,
            self.settings,
            self.name,
            locks=self.locks,
            dry_run=self.dry_run,
            max_seconds=max_seconds,
            now=self.now,
            summary=self.summary,
            lease=lease,
        )
        bot_run.execute([self])
        self.run.in_progress = bot_run.in_progress
        return self.run


def iso_or_empty(moment: datetime | None) -> str:
    """Sort key for rows whose start may be unknown (kept from a snapshot)."""
    return moment.isoformat() if moment else ""


def run_metrics(
    farm: WikiFarm,
    settings: Settings,
    summary: RunSummary,
    *,
    targets: Iterable[str] = (),
    dry_run: bool = False,
    now: Callable[[], datetime] | datetime | None = None,
    source: ContributionSource | None = None,
    store: SnapshotStore | None = None,
    locks: PageLocks | None = None,
    write: bool = True,
    max_seconds: float | None = None,
    exclusive: bool = False,
) -> MetricsRun:
    """Measure events and campaigns, write their ``metrics`` regions, store snapshots.

    ``write=False`` measures only (``campaignkit report``): no page is edited and
    no snapshot is stored.
    """
    if isinstance(now, datetime):
        fixed = now
        clock: Callable[[], datetime] = lambda: fixed  # noqa: E731 - a fixed clock
    else:
        clock = now or (lambda: datetime.now(UTC))
    job = MetricsJob(
        farm,
        settings,
        summary,
        source=source,
        store=store,
        locks=locks,
        dry_run=dry_run,
        write=write,
        now=clock,
    )
    return job.execute(targets, max_seconds=max_seconds, exclusive=exclusive)
