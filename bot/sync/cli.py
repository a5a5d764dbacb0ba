"""``campaignkit sync``: the bot's main job from the command line (cron, Toolforge jobs)."""

from __future__ import annotations

import logging

import click

from campaignkit.run_context import RunContext

log = logging.getLogger(__name__)


def page_locks(run: RunContext):  # noqa: ANN201 - campaignkit.locks.PageLocks
    """Redis page locks for this run; never starts a Redis (a page without its lock is left)."""
    from campaignkit.locks import PageLocks

    return PageLocks.for_settings(run.settings)


def register(group: click.Group) -> None:
    """Add ``sync`` to the ``campaignkit`` command."""

    @group.command("sync")
    @click.argument("pages", nargs=-1)
    @click.option("--wiki", metavar="ID", help="Only event pages on this wiki (default: all).")
    @click.option("--dry-run", is_flag=True, help="Print unified diffs; write nothing.")
    @click.option(
        "--full",
        is_flag=True,
        help="Re-read every event page, even those unchanged since the last run.",
    )
    @click.option(
        "--prune", is_flag=True, help="Drop the rows of event pages that no longer exist."
    )
    @click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
    @click.option(
        "--max-seconds",
        type=click.FloatRange(min=1),
        metavar="N",
        help="Time budget: take no new page that would not finish within N seconds; "
        "what is left goes to the next run.",
    )
    @click.pass_obj
    def sync(
        run: RunContext,
        pages: tuple[str, ...],
        wiki: str | None,
        dry_run: bool,
        full: bool,
        prune: bool,
        as_json: bool,
        max_seconds: float | None,
    ) -> None:
        """Update participants tables, campaign events tables and their data.

        With PAGE arguments, only those event pages (on --wiki, or on any wiki)
        and the campaigns they belong to, or those campaign pages.
        """
        from bot.run.output import print_summary
        from bot.sync.job import SyncJob

        dry_run = run.decide_dry_run(dry_run)
        job = SyncJob(
            run.farm,
            run.settings,
            dry_run=dry_run,
            full=full,
            prune=prune,
            locks=page_locks(run),
            max_seconds=max_seconds,
            exclusive=True,
            calendar=True,
        )
        summary = job.run(pages, wiki=wiki)
        if job.bot_run.in_progress:
            click.echo(job.bot_run.in_progress)
            return
        if not dry_run:
            from campaignkit.run_log import record_run

            record_run(run.settings.database_url, summary.as_dict(), origin="cli")
        print_summary(summary, as_json=as_json)
