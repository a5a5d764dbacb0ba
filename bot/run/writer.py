"""The bot's one write door: stop page, page lock, safe edit, run summary.

Every bot task (sync, worklists, metrics, template installs) writes through
one :class:`PageWriter`, so that the stop page is looked at before each batch
of writes on each wiki, two processes never edit one page at once (and a page
is never edited without its lock), a dry run writes nothing, and every outcome
reaches the run's summary — in one place.

A wiki that turns out read-only, lagged, rate-limited past the edit's bounded
retries, or down, is given up for the rest of the run: its other pages are left
for the next run without spending requests on them, and the run goes on with
the other wikis.
"""

from __future__ import annotations

import time
from collections import Counter

from bot.run.summary import RunSummary
from campaignkit.config import Settings
from campaignkit.locks import LocksUnavailable, PageBusy, PageLocks
from campaignkit.stop_page import stop_reason
from campaignkit.wiki.connection import WikiFarm
from campaignkit.wiki.editing import EditOutcome, EditRequest, EditResult, apply_edit

WRITE_BATCH = 50  # edits between two looks at a wiki's stop page


class PageWriter:
    """Saves pages on the configured wikis for one run."""

    def __init__(
        self,
        farm: WikiFarm,
        settings: Settings,
        summary: RunSummary,
        *,
        locks: PageLocks | None = None,
        dry_run: bool = False,
        batch: int = WRITE_BATCH,
    ) -> None:
        self.farm = farm
        self.settings = settings
        self.summary = summary
        self.locks = locks or PageLocks(None, settings.redis_prefix)
        self.dry_run = dry_run or farm.simulate
        self.batch = batch
        self.writes: Counter[str] = Counter()
        self.stopped: dict[str, str] = {}
        self.given_up: dict[str, str] = {}  # wiki id -> why its pages wait for the next run
        self.left: Counter[str] = Counter()  # pages per given-up wiki not attempted
        self.deadline: float | None = None  # monotonic time by which a run must be done
        self.out_of_time = 0  # writes not started because the run's budget would not allow them
        self._slowest = 0.0  # the longest a write took in this run (throttle included)
        # Pages this run changed, with (the revision replaced, the new one): a task must
        # read them again rather than trust what it recorded at the listing's revision,
        # unless what it recorded is outside the bot's regions and the save replaced
        # exactly that revision (``base`` is 0 when MediaWiki merged another edit).
        self.saved: dict[tuple[str, str], tuple[int, int]] = {}

    def give_up(self, wiki_id: str, reason: str) -> None:
        """Leave the rest of a wiki's pages for the next run (said once in the summary)."""
        if wiki_id not in self.given_up:
            self.given_up[wiki_id] = reason
            self.summary.error(f"{wiki_id}: {reason}; its other pages are left for the next run")

    def replaced(self, wiki_id: str) -> dict[str, tuple[int, int]]:
        """Pages of one wiki this run saved over a known revision: title -> (old, new)."""
        return {
            title: (base, new)
            for (wiki, title), (base, new) in self.saved.items()
            if wiki == wiki_id and base
        }

    def summary_text(self, what: str) -> str:
        """An edit summary that says what changed and where the documentation is."""
        return f"campaignkit: {what} (bot; docs: {self.settings.docs_url})"

    def write(self, wiki_id: str, request: EditRequest) -> EditResult:
        """Save one page unless the wiki's stop page says stop or another process holds it."""
        connection = self.farm[wiki_id]
        if wiki_id in self.given_up:
            self.left[wiki_id] += 1
            return EditResult(
                wiki_id, request.title, EditOutcome.SKIPPED, reason=self.given_up[wiki_id]
            )
        if self.deadline is not None and time.monotonic() + self._slowest > self.deadline:
            self.out_of_time += 1
            return EditResult(
                wiki_id, request.title, EditOutcome.SKIPPED, reason="the run's time budget"
            )
        started = time.monotonic()
        if not self.dry_run and self.writes[wiki_id] % self.batch == 0:
            self.stopped[wiki_id] = stop_reason(connection, self.settings) or ""
        if self.stopped.get(wiki_id):
            result = EditResult(
                wiki_id, request.title, EditOutcome.SKIPPED, reason=self.stopped[wiki_id]
            )
        else:
            self.writes[wiki_id] += 1
            try:
                with self.locks.hold(wiki_id, request.title):
                    result = apply_edit(connection, request, dry_run=self.dry_run)
            except LocksUnavailable as unavailable:
                result = EditResult(
                    wiki_id, request.title, EditOutcome.FAILED, reason=str(unavailable)
                )
            except PageBusy as busy:
                result = EditResult(wiki_id, request.title, EditOutcome.SKIPPED, reason=str(busy))
        self._slowest = max(self._slowest, time.monotonic() - started)
        if getattr(result, "wiki_unavailable", False):
            self.give_up(wiki_id, f"{result.reason}")
            self.summary.skip(f"{wiki_id}:{request.title}: {result.reason}")
            return result
        if result.outcome in (EditOutcome.SAVED, EditOutcome.CREATED):
            self.saved[(wiki_id, request.title)] = (result.base_revid, result.revid)
        self.summary.edit(result)
        return result
