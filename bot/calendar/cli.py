"""``campaignkit calendar``: the movement-wide calendar alone (every sync run also keeps it)."""

from __future__ import annotations

import click

from campaignkit.run_context import RunContext


def register(group: click.Group) -> None:
    """Add ``calendar`` to the ``campaignkit`` command."""

    @group.command("calendar")
    @click.option("--dry-run", is_flag=True, help="Print unified diffs; write nothing.")
    @click.option(
        "--full", is_flag=True, help="Save even when the data is the same as last written."
    )
    @click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
    @click.pass_obj
    def calendar(run: RunContext, dry_run: bool, full: bool, as_json: bool) -> None:
        """Update the hub's calendar of every campaign's events and its data page.

        From what the sync recorded: every campaign's ongoing, upcoming and
        recently ended events, by month (the page named by calendar_page in the
        configuration), and every event as JSON beside it for {{Campaign events
        list}} and the webservice.
        """
        from bot.calendar.job import run_calendar
        from bot.run.output import print_summary
        from campaignkit.locks import PageLocks

        dry_run = run.decide_dry_run(dry_run)
        if not run.settings.calendar_page:
            click.echo("calendar_page is empty in the configuration: no calendar to keep.")
            return
        bot_run, _task = run_calendar(
            run.farm,
            run.settings,
            dry_run=dry_run,
            full=full,
            locks=PageLocks.for_settings(run.settings),
        )
        summary = bot_run.summary
        if not dry_run:
            from campaignkit.run_log import record_run

            record_run(run.settings.database_url, summary.as_dict(), origin="cli")
        print_summary(summary, as_json=as_json)
