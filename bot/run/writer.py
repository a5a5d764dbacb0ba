"""How every bot task saves a page: stop page, page lock, safe edit, run summary.

The sync, the metrics and the worklist jobs all write through one
:class:`PageWriter`, so that the stop page is looked at before each batch of
writes on each wiki, two processes never edit one page at once, a dry run
writes nothing, and every outcome reaches the run's summary — in one place.
"""

from __future__ import annotations

from collections import Counter

from bot.run.summary import RunSummary
from campaignkit.config import Settings
from campaignkit.locks import PageBusy, PageLocks
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

    def summary_text(self, what: str) -> str:
        """An edit summary that says what changed and where the documentation is."""
        return f"campaignkit: {what} (bot; docs: {self.settings.docs_url})"

    def write(self, wiki_id: str, request: EditRequest) -> EditResult:
        """Save one page unless the wiki's stop page says stop or another process holds it."""
        connection = self.farm[wiki_id]
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
            except PageBusy as busy:
                result = EditResult(wiki_id, request.title, EditOutcome.SKIPPED, reason=str(busy))
        self.summary.edit(result)
        return result
