"""One run of the bot: list pages once, treat them in the order that matters, never fall over.

Every bot job (participants tables, campaign tables and their data pages,
worklists, metrics, template installs) is a :class:`BotTask`: it says which
pages it wants (:meth:`BotTask.items`) and what it does to one
(:meth:`BotTask.treat`). :class:`BotRun` does the rest, the same way for all of
them, in the spirit of Pywikibot's ``BaseBot.run``:

1. ``setup`` of each task, with one :class:`PageListing` shared by all, so a
   run that syncs and refreshes worklists lists each wiki's event pages once;
2. every task's items, sorted by :class:`Priority` (what someone asked for,
   then the hub's campaign tables, then the movement-wide calendar, then event
   pages by date, then worklists and metrics) and treated one by one through
   one :class:`PageWriter`;
3. an expected failure becomes an outcome in the summary; anything else is
   logged with the page and its traceback, counted as an error, and the run
   goes on with the next item;
4. with a time budget, no item is started that would not finish in time;
   what is left is said in the summary (the next run takes it up first);
5. ``teardown`` of each task, then one summary with this run's API requests.

A wiki that cannot be reached (or that is read-only or lagged past the edit's
bounded retries) is given up for the rest of the run; the other wikis' items
go on. A scheduled run holds a :class:`~bot.run.lease.RunLease` on its wikis:
a second run of the same task finds it, says so in one line and ends.
"""

from __future__ import annotations

import logging
import time
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import IntEnum
from typing import Any, ClassVar

from bot.run.lease import LeaseTaken, RunLease
from bot.run.summary import RunSummary
from bot.run.writer import PageWriter
from campaignkit.config import Settings
from campaignkit.locks import PageLocks
from campaignkit.manifest import Manifest, load_manifest
from campaignkit.wiki.connection import WikiFarm
from campaignkit.wiki.errors import WikiError, WikiUnreachable

log = logging.getLogger(__name__)


class Priority(IntEnum):
    """Which work comes first when a run cannot do everything (lower first)."""

    REQUESTED = 0  # a page someone asked for through the webservice
    CAMPAIGN = 1  # the hub's campaign tables and data pages: what organizers read
    # The movement-wide calendar and its data page: two edits that show every
    # campaign's events to the public and to every page embedding the list. After
    # the campaign tables (an organizer checks their campaign first), before the
    # hundreds of event pages that, at one save per 10 s, would hold it back an hour.
    CALENDAR = 2
    EVENT = 3  # event pages: ongoing, soonest upcoming, then ended
    WORKLIST = 4
    METRICS = 5
    MAINTENANCE = 6  # template installs


@dataclass(frozen=True)
class WorkItem:
    """One page a task wants treated, with where it stands in the run's order."""

    task: str
    wiki: str
    title: str
    priority: Priority
    order: tuple[Any, ...] = ()  # within a priority: dates, titles
    payload: Any = field(default=None, compare=False, hash=False)

    @property
    def where(self) -> str:
        """``wiki:title``, as every log line and summary line names a page."""
        return f"{self.wiki}:{self.title}"

    def sort_key(self) -> tuple[Any, ...]:
        """Priority first, then the task's own order, then the page."""
        return (int(self.priority), self.order, self.wiki, self.title, self.task)


class ExpectedFailure(Exception):
    """A failure a task foresaw (a source that cannot be read, a bad template field).

    The loop reports its message as one line naming the page; no traceback.
    """


EXPECTED: tuple[type[BaseException], ...] = (ExpectedFailure, WikiError)


class BotTask(ABC):
    """One kind of bot work. Subclasses set :attr:`name` and implement items and treat."""

    name: ClassVar[str] = "task"

    def setup(self, run: BotRun) -> None:  # noqa: B027 - optional hook
        """Read what every item needs (listings, batched reads) before the first item."""

    @abstractmethod
    def items(self, run: BotRun) -> Iterable[WorkItem]:
        """The pages this task wants treated in this run."""

    @abstractmethod
    def treat(self, run: BotRun, item: WorkItem) -> None:
        """Do the task's work on one page (writes go through ``run.writer``)."""

    def teardown(self, run: BotRun) -> None:  # noqa: B027 - optional hook
        """Record what the run learned (state tables, snapshots)."""


def _template_key(name: str) -> str:
    """A template name as MediaWiki compares it: spaces for underscores, first letter up."""
    name = name.replace("_", " ").strip()
    return name[:1].upper() + name[1:]


@dataclass(frozen=True)
class ListedPage:
    """A page that uses contract templates: its latest revision id and which templates."""

    title: str
    revid: int
    templates: frozenset[str]  # contract keys: "campaign_event", "worklist", "campaign"

    @property
    def exists(self) -> bool:
        """Listed pages exist (for code that also handles pages read by title)."""
        return True


class PageListing:
    """Every page that uses a contract template, listed once per run and wiki, in one query.

    ``generator=transcludedin`` over the contract's templates with
    ``prop=info|templates`` gives, per page, its latest revision id and which
    of the templates it uses: one request per wiki for up to 5,000 pages (the
    bot's limit), however many templates the tasks ask about. Only each wiki's
    own name of a template is asked for: the English name, where it exists
    beside it, is a redirect, and MediaWiki lists transclusions through a
    redirect under its target too. A failed listing is remembered, so every
    task that asks gets the same error (and the wiki is reported once).
    """

    KEYS = ("campaign_event", "worklist", "campaign")
    NOT_CONTENT_NAMESPACES = frozenset({8, 10, 828})  # they document the templates

    def __init__(self, farm: WikiFarm, settings: Settings) -> None:
        self.farm = farm
        self.settings = settings
        self._lists: dict[str, dict[str, ListedPage] | WikiError] = {}
        self._manifests: dict[str, Manifest] = {}

    def manifest(self, wiki_id: str) -> Manifest:
        """The wiki's localized template names."""
        if wiki_id not in self._manifests:
            self._manifests[wiki_id] = load_manifest(wiki_id, self.settings.wiki(wiki_id).lang)
        return self._manifests[wiki_id]

    def _list(self, wiki_id: str) -> dict[str, ListedPage]:
        from campaignkit.wiki.batch import query_all
        from campaignkit.wiki.discovery import template_title

        manifest = self.manifest(wiki_id)
        names = {manifest.template(key).name: key for key in self.KEYS}
        titles = "|".join(template_title(name) for name in names)
        by_name = {_template_key(name): key for name, key in names.items()}
        pages: dict[str, dict[str, Any]] = {}
        for answer in query_all(
            self.farm[wiki_id],
            generator="transcludedin",
            titles=titles,
            gtilimit="max",
            prop="info|templates",
            tltemplates=titles,
            tllimit="max",
        ):
            for page in answer.get("query", {}).get("pages", []):
                entry = pages.setdefault(page["title"], {"templates": []})
                entry["ns"] = page.get("ns")
                entry["lastrevid"] = page.get("lastrevid", entry.get("lastrevid", 0))
                entry["templates"] += page.get("templates", [])
        listed = {}
        for title, page in pages.items():
            if page["ns"] in self.NOT_CONTENT_NAMESPACES:
                continue
            # The answer names templates in the wiki's own namespace (Àdàkọ:…), so
            # they are matched by their name within the namespace.
            keys = frozenset(
                by_name[name]
                for t in page["templates"]
                if (name := _template_key(t["title"].split(":", 1)[-1])) in by_name
            )
            listed[title] = ListedPage(title, int(page["lastrevid"] or 0), keys)
        return listed

    def listed(self, wiki_id: str) -> dict[str, ListedPage]:
        """Every page of the wiki that uses a contract template; raises the listing's error."""
        if wiki_id not in self._lists:
            try:
                self._lists[wiki_id] = self._list(wiki_id)
            except WikiError as error:
                self._lists[wiki_id] = error
        found = self._lists[wiki_id]
        if isinstance(found, WikiError):
            raise found
        return found

    def embedding(self, wiki_id: str, template_key: str) -> list[ListedPage]:
        """The pages that use one contract template (revision ids, no text)."""
        return [page for page in self.listed(wiki_id).values() if template_key in page.templates]


class BotRun:
    """One run of one or more tasks over the configured wikis."""

    def __init__(
        self,
        farm: WikiFarm,
        settings: Settings,
        name: str,
        *,
        locks: PageLocks | None = None,
        dry_run: bool = False,
        max_seconds: float | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        summary: RunSummary | None = None,
        clock: Callable[[], float] = time.monotonic,
        lease: RunLease | None = None,
    ) -> None:
        self.farm = farm
        self.settings = settings
        self.dry_run = dry_run or farm.simulate
        self.now = now
        self.summary = summary or RunSummary(name)
        self.writer = PageWriter(farm, settings, self.summary, locks=locks, dry_run=self.dry_run)
        self.listing = PageListing(farm, settings)
        self.max_seconds = max_seconds
        self.clock = clock
        self.started = clock()
        if max_seconds is not None and clock is time.monotonic:
            # Inside an item, each write is checked against the budget too: an item
            # of several writes (a campaign table and its data pages) stops between
            # them, and the next run finishes it.
            self.writer.deadline = self.started + max_seconds
        self.left: list[WorkItem] = []
        self.lease = lease
        self.in_progress = ""  # set when another run holds the lease: this one did nothing
        self._seconds: dict[str, list[float]] = defaultdict(list)
        self._requests_before = farm.request_counts()

    # --- the budget -----------------------------------------------------------------

    def estimate(self, item: WorkItem) -> float:
        """Seconds the item will likely take: the slowest of its task's recent items."""
        done = self._seconds.get(item.task)
        if not done:
            return 0.0
        return max(done[-20:])

    def has_time_for(self, item: WorkItem) -> bool:
        """Whether the item would finish inside the run's budget."""
        if self.max_seconds is None:
            return True
        return self.clock() - self.started + self.estimate(item) <= self.max_seconds

    # --- running --------------------------------------------------------------------

    @property
    def given_up(self) -> dict[str, str]:
        """Wikis left for the next run, with why."""
        return self.writer.given_up

    def _isolated(self, what: str, action: Callable[[], Any], wiki: str = "") -> bool:
        """Run one step; a failure is reported with ``what`` and the run goes on."""
        try:
            action()
        except WikiUnreachable as error:
            if wiki:
                self.writer.give_up(wiki, f"cannot be reached ({error})")
            else:
                self.summary.error(f"{what}: {error}")
            return False
        except EXPECTED as error:
            self.summary.error(f"{what}: {error}")
            return False
        except Exception as error:  # one bug on one page never ends the run
            # The traceback is for developers: in the log with -v (DEBUG), never
            # on an operator's screen otherwise; the summary has one line.
            log.error(
                "%s: unexpected error %s: %s",
                what,
                type(error).__name__,
                error,
                exc_info=log.isEnabledFor(logging.DEBUG),
            )
            self.summary.error(f"{what}: unexpected error {type(error).__name__}: {error}")
            return False
        return True

    def execute(self, tasks: Iterable[BotTask]) -> RunSummary:
        """Set up every task, treat every item in priority order, tear down, summarize."""
        if self.lease is not None:
            try:
                self.lease.acquire()
            except LeaseTaken as taken:
                self.in_progress = str(taken)
                return self.finish()
        try:
            self._execute(list(tasks))
        finally:
            if self.lease is not None:
                self.lease.release()
        return self.finish()

    def _execute(self, tasks: list[BotTask]) -> None:
        ready = [
            task
            for task in tasks
            if self._isolated(f"{task.name} setup", lambda t=task: t.setup(self))
        ]
        items: list[WorkItem] = []
        by_name = {task.name: task for task in ready}
        for task in ready:
            self._isolated(f"{task.name} listing", lambda t=task: items.extend(t.items(self)))
        queue = sorted(dict.fromkeys(items), key=WorkItem.sort_key)
        renewed = self.clock()
        setup_seconds = renewed - self.started
        for index, item in enumerate(queue):
            if not self.has_time_for(item):
                self.left = queue[index:]
                # Setup (listing, reading what changed, checking names) is not cut
                # short: a run stopped inside it would redo it next time and never
                # get to a page. A budget it eats whole is worth saying so.
                why = (
                    f" (setup took {setup_seconds:.0f} s; give the run more time)"
                    if index == 0 and setup_seconds > (self.max_seconds or 0)
                    else ""
                )
                self.summary.warn(
                    f"time budget of {self.max_seconds:.0f} s reached: {len(self.left)} "
                    f"page(s) left for the next run, from {self.left[0].where}{why}"
                )
                break
            if item.wiki in self.given_up:
                self.writer.left[item.wiki] += 1
                continue
            started = self.clock()
            self._isolated(item.where, lambda i=item: by_name[i.task].treat(self, i), item.wiki)
            self._seconds[item.task].append(self.clock() - started)
            if self.lease is not None and self.clock() - renewed > 60:
                self._isolated("run lease", self.lease.renew)
                renewed = self.clock()
        for task in ready:
            self._isolated(f"{task.name} teardown", lambda t=task: t.teardown(self))
        if self.writer.out_of_time:
            self.summary.warn(
                f"time budget of {self.max_seconds:.0f} s reached: {self.writer.out_of_time} "
                "write(s) left for the next run"
            )
        for wiki, count in sorted(self.writer.left.items()):
            self.summary.warn(f"{wiki}: {count} page(s) not attempted in this run (see the error)")

    def requests(self) -> dict[str, int]:
        """API requests this run made, per wiki."""
        after = self.farm.request_counts()
        return {wiki: after[wiki] - self._requests_before.get(wiki, 0) for wiki in after}

    def finish(self) -> RunSummary:
        """Close the summary with this run's request counts (once)."""
        if not self.summary.finished:
            self.summary.finish(self.requests())
        return self.summary
