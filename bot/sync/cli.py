"""``campaignkit sync``: the bot's main job from the command line (cron, Toolforge jobs)."""

from __future__ import annotations

import json
import logging

import click

from campaignkit.run_context import RunContext

log = logging.getLogger(__name__)


def page_locks(run: RunContext):  # noqa: ANN201 - campaignkit.locks.PageLocks
    """Redis page locks for this run; a local Redis is started if it is not running."""
    from campaignkit.locks import PageLocks
    from campaignkit.services import ensure_redis

    settings = run.settings
    if not settings.redis_url:
        return PageLocks(None, settings.redis_prefix)
    ensure_redis(settings.redis_url)
    return PageLocks.for_settings(settings)


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
    @click.pass_obj
    def sync(
        run: RunContext,
        pages: tuple[str, ...],
        wiki: str | None,
        dry_run: bool,
        full: bool,
        prune: bool,
        as_json: bool,
    ) -> None:
        """Update participants tables, campaign events tables and their data.

        With PAGE arguments, only those event pages (on --wiki, or on any wiki)
        and the campaigns they belong to, or those campaign pages.
        """
        from bot.sync.job import SyncJob

        dry_run = dry_run or run.dry_run
        if dry_run:
            run.dry_run = True
        job = SyncJob(
            run.farm, run.settings, dry_run=dry_run, full=full, prune=prune, locks=page_locks(run)
        )
        summary = job.run(pages, wiki=wiki)
        if not dry_run:
            from campaignkit.run_log import record_run

            record_run(run.settings.database_url, summary.as_dict(), origin="cli")
        for diff in summary.diffs:
            click.echo(diff)
        if as_json:
            click.echo(json.dumps(summary.as_dict(), indent=2, ensure_ascii=False))
        else:
            for line in summary.lines():
                click.echo(line)
        if summary.errors:
            raise click.exceptions.Exit(1)
