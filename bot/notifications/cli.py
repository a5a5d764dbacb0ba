"""``campaignkit notify``: post due reminders and thank-yous (cron, Toolforge jobs, Celery)."""

from __future__ import annotations

import click

from campaignkit.run_context import RunContext


def register(group: click.Group) -> None:
    """Add ``notify`` to the ``campaignkit`` command."""

    @group.command("notify")
    @click.argument("pages", nargs=-1)
    @click.option("--dry-run", is_flag=True, help="Print the messages as diffs; write nothing.")
    @click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
    @click.option(
        "--max-seconds",
        type=click.FloatRange(min=1),
        metavar="N",
        help="Time budget: start no message that would not be saved within N seconds.",
    )
    @click.pass_obj
    def notify(
        run: RunContext,
        pages: tuple[str, ...],
        dry_run: bool,
        as_json: bool,
        max_seconds: float | None,
    ) -> None:
        """Post reminders before events and thank-yous with each person's figures after.

        With PAGE arguments, only those event pages (on any wiki).

        Only for events whose page says reminders=yes; each message once per
        event, person and kind; talk pages with {{nobots}} or
        {{bots|optout=...}} and names on the hub's opt-out page are left alone.
        """
        from bot.notifications.job import run_notify
        from bot.run.output import print_summary
        from campaignkit.locks import PageLocks

        dry_run = run.decide_dry_run(dry_run)
        summary, in_progress = run_notify(
            run.farm,
            run.settings,
            dry_run=dry_run,
            locks=PageLocks.for_settings(run.settings),
            max_seconds=max_seconds,
            exclusive=True,
            targets=pages,
        )
        if in_progress:
            click.echo(in_progress)
            return
        if not dry_run:
            from campaignkit.run_log import record_run

            record_run(run.settings.database_url, summary.as_dict(), origin="cli")
        print_summary(summary, as_json=as_json)
