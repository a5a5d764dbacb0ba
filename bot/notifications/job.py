"""``campaignkit notify``: reminders before events and thank-yous with each person's figures.

For events whose page says ``reminders=yes``, one run (hourly, or a Celery task):

1. Setup: on each wiki, the event pages from the run's one listing (revision
   ids). An event page is read only when its revision is new to this task or
   when what was recorded of it (reminders on, start, end) says a message may
   be due now, so an hourly run over 500 quiet events reads almost nothing.
2. Due now: a **reminder** from ``[notify] reminder_hours`` (24) before the
   start until the start; a **thank-you** after the end, once a metrics run
   measured the event after its end (its per-participant figures,
   :mod:`bot.metrics.participant_snapshots`, and totals), for
   ``thanks_within_days`` (14).
3. Who: the event's valid sign-ups with a place (seated as the participants
   table seats them, so nobody on the waitlist is told to come), each name
   checked in batched ``list=users`` requests, minus the names on the hub's
   opt-out page and the messages the journal has (:mod:`.journal`).
4. Their talk pages are read in batches; a page with ``{{nobots}}``,
   ``{{bots|deny=…}}`` or ``{{bots|optout=all|campaignkit|reminder|thanks}}``
   is left alone and journaled ``excluded``; one that already holds the
   message's marker is journaled ``sent``.
5. Items, one per talk page and message, soonest event first (reminders,
   then thanks), at most ``max_messages`` a run (the rest wait for the next).
   Treat: journal ``pending`` (committed), append the section through the
   run's one writer (stop page, page lock, time budget, conflict-safe save,
   a wiki that is down given up), journal ``sent``. A ``pending`` row left by
   a killed run is settled from the talk page's history (the edit summary
   carries the marker) before anything is posted again.

``--dry-run`` prints the sections it would add as diffs and writes nothing:
no edit, no journal row, no record.

The items use :attr:`~bot.run.loop.Priority.MAINTENANCE`: a notify run is a run
of its own (own lease, own schedule), so the level only matters in a run that
would combine it with the sync, where the tables organizers read must come
first; a reminder due in the next 24 hours gets a chance every hour.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.metrics.compute import Figures, ParticipantFigures
from bot.metrics.participant_snapshots import ParticipantSnapshots
from bot.metrics.snapshots import SnapshotStore
from bot.notifications import messages
from bot.notifications.journal import (
    EXCLUDED,
    PENDING,
    SENT,
    MessageKey,
    NotificationJournal,
)
from bot.notifications.settings import NotifySettings, notify_settings
from bot.run.lease import RunLease
from bot.run.loop import BotRun, BotTask, Priority, WorkItem
from bot.run.page_state import PageRecord, PageRecords
from bot.run.summary import RunSummary
from campaignkit.codecs.participants_table import build_rows
from campaignkit.codecs.signups import read_signups
from campaignkit.codecs.usernames import (
    UserNamespaces,
    normalize_username,
    user_from_link_target,
)
from campaignkit.codecs.waitlist import seat_event
from campaignkit.config import Settings
from campaignkit.locks import PageLocks
from campaignkit.manifest import Manifest, load_manifest
from campaignkit.model import CampaignEvent, read_event
from campaignkit.wiki.batch import PageText, read_texts
from campaignkit.wiki.connection import WikiConnection, WikiFarm
from campaignkit.wiki.editing import EditOutcome, EditRequest
from campaignkit.wiki.errors import WikiError
from campaignkit.wiki.exclusion import bot_may_notify
from campaignkit.wiki.users import check_users
from campaignkit.wikitext.regions import RegionError

log = logging.getLogger(__name__)

KIND_ORDER = {messages.REMINDER: 0, messages.THANKS: 1}
TALK = "User talk:"  # the canonical name works on every wiki; MediaWiki localizes it


@dataclass
class Notice:
    """One message to post: which, to whom, where, with what."""

    key: MessageKey
    event: CampaignEvent
    talk_wiki: str
    lang: str
    pending: bool = False  # a killed run may have posted it: look in the history first
    page: PageText | None = None
    mine: ParticipantFigures | None = None
    totals: Figures | None = None
    as_of: datetime | None = None

    @property
    def talk_title(self) -> str:
        """The person's talk page on the event page's wiki."""
        return TALK + self.key.user

    @property
    def when(self) -> float:
        """Soonest first: a reminder by its start, a thank-you by its end."""
        moment = self.event.start_utc if self.key.kind == messages.REMINDER else self.event.end_utc
        return moment.timestamp()


@dataclass
class _Wiki:
    connection: WikiConnection
    manifest: Manifest
    namespaces: UserNamespaces
    events: list[tuple[PageText, CampaignEvent, list[str]]] = field(default_factory=list)


def _digest(event: CampaignEvent) -> str:
    """What the task remembers of an event page's revision: reminders on, start and end."""
    on = "1" if event.reminders else "0"
    return f"{on}|{int(event.start_utc.timestamp())}|{int(event.end_utc.timestamp())}"


class NotifyTask(BotTask):
    """The notify task: reminders and thank-yous on participants' talk pages."""

    name = "notify"

    def __init__(
        self,
        farm: WikiFarm,
        settings: Settings,
        *,
        dry_run: bool = False,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        journal: NotificationJournal | None = None,
        targets: Iterable[str] = (),
    ) -> None:
        self.farm = farm
        self.targets = {t.replace("_", " ").strip() for t in targets if t.strip()}
        self.settings = settings
        self.options: NotifySettings = notify_settings(settings)
        self.dry_run = dry_run or farm.simulate
        self.now = now
        self.journal = journal or NotificationJournal(settings.database_url)
        self.records = PageRecords(settings.database_url, "notify-event")
        self.participants = ParticipantSnapshots(settings.database_url)
        self.snapshots = SnapshotStore(settings.database_url)
        self.notices: list[Notice] = []
        self.bot = settings.bot.main_username
        self.started = now()
        self.counts: dict[str, int] = {}

    # --- when -------------------------------------------------------------------------

    def _reminder_due(self, start: datetime) -> bool:
        return start - self.options.reminder_before <= self.started < start

    def _thanks_window(self, end: datetime) -> bool:
        return end < self.started <= end + self.options.thanks_within

    def _maybe_due(self, digest: str) -> bool:
        """From a record alone: reminders on and now inside one of the two windows."""
        try:
            on, start, end = digest.split("|")
            start_at = datetime.fromtimestamp(int(start), UTC)
            end_at = datetime.fromtimestamp(int(end), UTC)
        except ValueError:
            return True  # an unreadable record: read the page
        return on == "1" and (self._reminder_due(start_at) or self._thanks_window(end_at))

    def _kinds_due(self, event: CampaignEvent) -> list[str]:
        if not event.reminders:
            return []
        kinds = []
        if self._reminder_due(event.start_utc):
            kinds.append(messages.REMINDER)
        if self._thanks_window(event.end_utc):
            kinds.append(messages.THANKS)
        return kinds

    # --- step 1: events ----------------------------------------------------------------

    def _events_of(self, run: BotRun, wiki: _Wiki) -> None:
        connection = wiki.connection
        wiki.namespaces = UserNamespaces.from_site(connection.site)
        listed = run.listing.embedding(connection.id, "campaign_event")
        recorded = self.records.entries(connection.id)
        titles = []
        for page in listed:
            if self.targets and page.title not in self.targets:
                continue
            entry = recorded.get(page.title)
            if entry is None or entry.revid != page.revid or self._maybe_due(entry.digest):
                titles.append(page.title)
        if not titles:
            return
        texts = read_texts(connection, titles)
        run.summary.read(connection.id, len(texts))
        for page in texts.values():
            if not page.exists:
                continue
            reading = read_event(
                page.text,
                title=page.title,
                wiki=connection.id,
                manifest=wiki.manifest,
                wiki_ids=set(self.settings.wikis),
                hub_id=self.settings.hub_id,
            )
            event = reading.model
            if event is None:
                continue  # the sync reports what is wrong with the page
            if not self.dry_run:
                self.records.record(
                    connection.id, PageRecord(page.title, page.revid, _digest(event))
                )
            kinds = self._kinds_due(event)
            if kinds:
                wiki.events.append((page, event, kinds))

    # --- step 3: people ----------------------------------------------------------------

    def _optout_names(self) -> set[str]:
        """Names on the hub's opt-out page: lines with a user link, or a bare name."""
        title = self.options.optout_page
        if not title:
            return set()
        hub = self.farm[self.settings.hub_id]
        page = read_texts(hub, [title])[title]
        if not page.exists:
            return set()
        namespaces = UserNamespaces.from_site(hub.site)
        names = set()
        for line in page.text.splitlines():
            line = line.strip().lstrip("*#:").strip()
            if not line or line.startswith(("<", "=", "{")):
                continue
            if "[[" in line:
                target = line.split("[[", 1)[1].split("]]", 1)[0].split("|", 1)[0]
                name = user_from_link_target(target, namespaces)
            else:
                name = normalize_username(line, namespaces)
            if name:
                names.add(name)
        return names

    def _seated(self, wiki: _Wiki, page: PageText, event: CampaignEvent, users: dict) -> list[str]:
        """The event's valid sign-ups with a place, in page order."""
        names = read_signups(page.text, wiki.manifest, wiki.namespaces, page.title).names
        rows = build_rows(names, users, {}, event.start_utc, event.end_utc)
        rows = seat_event(rows, event, page.text, wiki.manifest, wiki.namespaces, page.title)
        return [r.user for r in rows if r.valid]

    def _measured(self, event: CampaignEvent) -> tuple[dict, Figures, datetime] | None:
        """Per-person figures and totals of a metrics run after the end, if there was one."""
        wiki, title = event.page.wiki, event.page.title
        people = self.participants.latest(wiki, title)
        snapshot = self.snapshots.latest(wiki, title)
        if people is None or snapshot is None:
            return None
        if people.taken <= event.end_utc or snapshot.taken <= event.end_utc:
            return None  # measured before the end: the figures are not final yet
        return people.figures, snapshot.figures, snapshot.taken

    def _notices_of(self, run: BotRun, wiki: _Wiki, optout: set[str]) -> list[Notice]:
        connection = wiki.connection
        signed: dict[str, list[str]] = {}
        for page, _event, _kinds in wiki.events:
            try:
                signed[page.title] = read_signups(
                    page.text, wiki.manifest, wiki.namespaces, page.title
                ).names
            except RegionError as error:
                run.summary.error(f"{connection.id}:{page.title}: {error}")
        users = check_users(connection, [n for names in signed.values() for n in names])
        found = []
        for page, event, kinds in wiki.events:
            if page.title not in signed:
                continue
            people = self._seated(wiki, page, event, users)
            journaled = self.journal.entries(connection.id, page.title)
            for kind in kinds:
                measured = self._measured(event) if kind == messages.THANKS else None
                if kind == messages.THANKS and measured is None:
                    continue  # the metrics are not in yet: a later run thanks them
                for user in people:
                    key = MessageKey(connection.id, page.title, user, kind)
                    entry = journaled.get(key)
                    if entry is not None and entry.status in (SENT, EXCLUDED):
                        continue
                    notice = Notice(
                        key,
                        event,
                        connection.id,
                        connection.config.lang,
                        pending=entry is not None and entry.status == PENDING,
                    )
                    if measured is not None:
                        figures, notice.totals, notice.as_of = measured
                        notice.mine = figures.get(user)
                    if user in optout:
                        self._settle(run, notice, EXCLUDED, note="on the hub's opt-out page")
                        continue
                    found.append(notice)
        return found

    # --- step 4: talk pages ------------------------------------------------------------

    def _read_talk_pages(self, run: BotRun, wiki: _Wiki, notices: list[Notice]) -> list[Notice]:
        titles = [n.talk_title for n in notices]
        pages = read_texts(wiki.connection, titles) if titles else {}
        run.summary.read(wiki.connection.id, len(pages))
        ready = []
        for notice in notices:
            page = pages.get(notice.talk_title)
            notice.page = page if page is not None and not page.invalid_reason else None
            if page is not None and page.invalid_reason:
                self._settle(run, notice, EXCLUDED, note=f"no talk page: {page.invalid_reason}")
                continue
            if page is not None and page.exists:
                if not bot_may_notify(page.text, self.bot, self._optout_kinds(notice)):
                    self._settle(run, notice, EXCLUDED, note="{{nobots}} or {{bots}} on the page")
                    continue
                if notice.key.marker in page.text:
                    self._settle(run, notice, SENT, note="already on the page")
                    continue
            ready.append(notice)
        return ready

    @staticmethod
    def _optout_kinds(notice: Notice) -> set[str]:
        return {notice.key.kind, *messages.OPTOUT_KINDS}

    def _settle(
        self, run: BotRun, notice: Notice, status: str, *, revid: int = 0, note: str = ""
    ) -> None:
        """Journal a message's final state (never in a dry run) and count it."""
        self.counts[status] = self.counts.get(status, 0) + 1
        if status == EXCLUDED:
            run.summary.skip(
                f"{notice.talk_wiki}:{notice.talk_title}: {notice.key.kind} for "
                f"{notice.key.event_title}: {note}"
            )
        if self.dry_run:
            return
        self.journal.mark(
            notice.key,
            status,
            talk_wiki=notice.talk_wiki,
            talk_title=notice.talk_title,
            revid=revid,
            note=note,
        )

    # --- the task ----------------------------------------------------------------------

    def setup(self, run: BotRun) -> None:
        """Find the events with a message due, their people, and read their talk pages."""
        self.started = self.now()
        try:
            optout = self._optout_names()
        except WikiError as error:
            # Without the opt-out list nobody can be told apart: no message this run.
            run.summary.error(f"{self.settings.hub_id}: cannot read the opt-out page: {error}")
            return
        notices: list[Notice] = []
        for wiki_id in self.settings.wikis:
            connection = self.farm[wiki_id]
            wiki = _Wiki(
                connection, load_manifest(wiki_id, connection.config.lang), UserNamespaces.english()
            )
            try:
                self._events_of(run, wiki)
                if wiki.events:
                    notices += self._read_talk_pages(run, wiki, self._notices_of(run, wiki, optout))
            except WikiError as error:
                run.summary.error(f"{wiki_id}: no messages this run: {error}")
        notices.sort(key=lambda n: (KIND_ORDER[n.key.kind], n.when, n.talk_wiki, n.key.user))
        budget = self.options.max_messages
        if len(notices) > budget:
            run.summary.warn(
                f"{len(notices) - budget} message(s) over this run's limit of {budget} "
                "([notify] max_messages) are left for the next run"
            )
        self.notices = notices[:budget]

    def items(self, run: BotRun) -> Iterable[WorkItem]:
        """One item per message: reminders before thanks, soonest event first."""
        for notice in self.notices:
            yield WorkItem(
                self.name,
                notice.talk_wiki,
                notice.talk_title,
                Priority.MAINTENANCE,
                (KIND_ORDER[notice.key.kind], notice.when, notice.key.event_title),
                payload=notice,
            )

    def _in_history(self, notice: Notice) -> int:
        """The revision of the bot's that posted this message, if a killed run did; else 0."""
        answer = self.farm[notice.talk_wiki].api(
            action="query",
            prop="revisions",
            titles=notice.talk_title,
            rvprop="ids|comment",
            rvuser=self.bot,
            rvlimit="50",
            formatversion="2",
        )
        for page in answer.get("query", {}).get("pages", []):
            for revision in page.get("revisions", []):
                if notice.key.marker in revision.get("comment", ""):
                    return int(revision["revid"])
        return 0

    def _message(self, notice: Notice) -> messages.Message:
        hub = self.settings.hub
        url = messages.optout_url(hub.index_url, self.options.optout_page)
        if notice.key.kind == messages.REMINDER:
            return messages.reminder(notice.event, notice.key.user, notice.lang, url)
        assert notice.totals is not None and notice.as_of is not None
        return messages.thanks(
            notice.event,
            notice.key.user,
            notice.lang,
            notice.mine,
            notice.totals,
            notice.as_of,
            url,
        )

    def treat(self, run: BotRun, item: WorkItem) -> None:
        """Post one message once: journal pending, append the section, journal sent."""
        notice: Notice = item.payload
        if notice.pending and not self.dry_run:
            revid = self._in_history(notice)
            if revid:
                self._settle(run, notice, SENT, revid=revid, note="found in the page history")
                return
        if not self.dry_run:
            self.journal.mark(
                notice.key, PENDING, talk_wiki=notice.talk_wiki, talk_title=notice.talk_title
            )
        message = self._message(notice)
        marker = notice.key.marker
        seen: dict[str, bool] = {}

        def transform(page: PageText) -> str:
            if page.exists and not bot_may_notify(page.text, self.bot, self._optout_kinds(notice)):
                seen["excluded"] = True
                return page.text
            if marker in page.text:
                seen["there"] = True
                return page.text
            base = page.text.rstrip()
            return (base + "\n\n" if base else "") + message.section(marker) + "\n"

        request = EditRequest(
            notice.talk_title,
            transform,
            run.writer.summary_text(f"{message.summary} [{marker}]"),
            verify=lambda saved: marker in saved,
            create=True,
            minor=False,  # a minor bot edit to a user talk page would not notify them
            current=notice.page,
        )
        result = run.writer.write(notice.talk_wiki, request)
        if result.wrote:
            self._settle(run, notice, SENT, revid=result.revid)
        elif result.outcome is EditOutcome.UNCHANGED and seen.get("excluded"):
            self._settle(run, notice, EXCLUDED, note="{{nobots}} or {{bots}} on the page")
        elif result.outcome is EditOutcome.UNCHANGED and seen.get("there"):
            self._settle(run, notice, SENT, revid=result.revid, note="already on the page")
        elif result.outcome is EditOutcome.SKIPPED and "{{nobots}}" in result.reason:
            self._settle(run, notice, EXCLUDED, note="{{nobots}} or {{bots}} on the page")
        # Otherwise (dry run, a wiki down, the stop page, the budget) the row stays
        # pending, and the next run looks in the history before posting.

    def teardown(self, run: BotRun) -> None:
        """Carry event records over the run's own saves; say how many messages ended how."""
        if not self.dry_run:
            # The sync writes only its regions; the dates and the reminders switch
            # recorded here are outside them, so they hold at the saved revision too.
            for wiki_id in self.settings.wikis:
                self.records.carry_over(wiki_id, run.writer.replaced(wiki_id))
        if self.counts:
            done = ", ".join(f"{n} {state}" for state, n in sorted(self.counts.items()))
            log.info("notify: %s", done)


def run_notify(
    farm: WikiFarm,
    settings: Settings,
    *,
    dry_run: bool = False,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    locks: PageLocks | None = None,
    max_seconds: float | None = None,
    exclusive: bool = False,
    journal: NotificationJournal | None = None,
    targets: Iterable[str] = (),
) -> tuple[RunSummary, str]:
    """One notify run (all events, or the named event pages).

    Returns its summary and, when another run holds the lease, why it did nothing.
    """
    dry_run = dry_run or farm.simulate
    task = NotifyTask(farm, settings, dry_run=dry_run, now=now, journal=journal, targets=targets)
    bot_run = BotRun(
        farm,
        settings,
        "notify",
        locks=locks,
        dry_run=dry_run,
        max_seconds=max_seconds,
        now=now,
    )
    if exclusive and not dry_run and not task.targets:
        bot_run.lease = RunLease(
            settings.database_url, "notify", settings.wikis, bot_run.summary.run_id
        )
    summary = bot_run.execute([task])
    return summary, bot_run.in_progress
