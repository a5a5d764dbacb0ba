"""``campaignkit metrics`` and ``campaignkit report``: event and campaign metrics from the shell.

``metrics`` is the scheduled job (writes the regions, stores snapshots);
``report`` measures one event or campaign page and prints it as wikitext, JSON
or CSV without writing anything, for organizers preparing a report.

``--source replicas`` reads the Wiki Replicas: on Toolforge through
``toolforge.connect(<wiki id>)``; elsewhere set ``CAMPAIGNKIT_REPLICA_URL`` to a
MediaWiki database, e.g. ``mysql://root@127.0.0.1:3306/campaignkit_{wiki}``
(``{wiki}`` becomes the wiki id; the plain MediaWiki table names are used).
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import unquote, urlsplit

import click

from campaignkit.run_context import RunContext

REPLICA_URL_ENVVAR = "CAMPAIGNKIT_REPLICA_URL"


def replica_source_from_env() -> Any:
    """The replicas source: Toolforge's, or the database named by CAMPAIGNKIT_REPLICA_URL."""
    from bot.metrics.replica_source import LOCAL_TABLES, ReplicaSource

    url = os.environ.get(REPLICA_URL_ENVVAR, "")
    if not url:
        return ReplicaSource()
    parts = urlsplit(url)
    if parts.scheme not in ("mysql", "mysql+pymysql", "mariadb"):
        raise click.ClickException(f"{REPLICA_URL_ENVVAR} must be a mysql:// URL, got {url!r}")

    def connect(wiki: str) -> Any:
        import pymysql

        return pymysql.connect(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 3306,
            user=unquote(parts.username or "root"),
            password=unquote(parts.password or ""),
            database=unquote(parts.path.lstrip("/")).replace("{wiki}", wiki),
            charset="utf8mb4",
        )

    return ReplicaSource(connect, LOCAL_TABLES)


def make_source(run: RunContext, name: str) -> Any:
    """The contribution source named on the command line."""
    if name == "replicas":
        return replica_source_from_env()
    from bot.metrics.api_source import ApiSource

    return ApiSource(run.farm)


SOURCE_OPTION = click.option(
    "--source",
    type=click.Choice(["api", "replicas"]),
    default="api",
    show_default=True,
    help="Where edits are read: the Action API, or the Wiki Replicas (Toolforge SQL).",
)


def register(group: click.Group) -> None:
    """Add ``metrics`` and ``report`` to the ``campaignkit`` command."""

    @group.command("metrics")
    @click.argument("pages", nargs=-1)
    @SOURCE_OPTION
    @click.option("--dry-run", is_flag=True, help="Print unified diffs; write nothing.")
    @click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
    @click.option(
        "--max-seconds",
        type=click.FloatRange(min=1),
        metavar="N",
        help="Time budget: take no new page that would not finish within N seconds.",
    )
    @click.pass_obj
    def metrics(
        run: RunContext,
        pages: tuple[str, ...],
        source: str,
        dry_run: bool,
        as_json: bool,
        max_seconds: float | None,
    ) -> None:
        """Measure events and campaigns; write their metrics boxes; store a snapshot.

        With PAGE arguments, only those event pages, or the events of those campaign pages.
        """
        from bot.metrics.job import run_metrics
        from bot.run.output import print_summary
        from bot.run.summary import RunSummary
        from bot.sync.cli import page_locks

        dry_run = run.decide_dry_run(dry_run)
        summary = RunSummary("metrics")
        measured = run_metrics(
            run.farm,
            run.settings,
            summary,
            targets=pages,
            dry_run=dry_run,
            source=make_source(run, source),
            locks=page_locks(run),
            max_seconds=max_seconds,
            exclusive=True,
        )
        if measured.in_progress:
            click.echo(measured.in_progress)
            return
        print_summary(summary, as_json=as_json)

    @group.command("report")
    @click.argument("page")
    @click.option("--wiki", metavar="ID", help="The wiki of the page (default: any wiki).")
    @click.option(
        "--format",
        "output",
        type=click.Choice(["wikitext", "json", "csv"]),
        default="wikitext",
        show_default=True,
    )
    @click.option(
        "--participants", is_flag=True, help="One row per participant (public data only)."
    )
    @SOURCE_OPTION
    @click.pass_obj
    def report(
        run: RunContext,
        page: str,
        wiki: str | None,
        output: str,
        participants: bool,
        source: str,
    ) -> None:
        """Measure one event or campaign PAGE now and print its metrics; write nothing."""
        from bot.metrics import report as reports
        from bot.metrics.job import run_metrics
        from bot.run.summary import RunSummary
        from campaignkit.manifest import load_manifest

        settings = run.settings
        if wiki is not None:
            settings.wiki(wiki)  # a ConfigError naming the known wikis
        title = page.replace("_", " ").strip()
        summary = RunSummary("report")
        measured = run_metrics(
            run.farm,
            settings,
            summary,
            targets=[title],
            source=make_source(run, source),
            write=False,
        )
        found: Any = None
        for (event_wiki, event_page), event in measured.events.items():
            if event_page == title and wiki in (None, event_wiki):
                found = event
        if found is None and wiki in (None, settings.hub_id):
            found = measured.campaigns.get(title)
        for line in summary.errors:
            click.echo(f"error {line}", err=True)
        unreadable = [
            problems
            for (event_wiki, event_page), problems in measured.unreadable.items()
            if event_page == title and wiki in (None, event_wiki)
        ]
        if found is None and unreadable:
            raise click.ClickException(
                f"{title!r} is an event page whose {{{{Campaign event}}}} cannot be read, so "
                f"it has no figures until it is fixed: {'; '.join(unreadable[0])}"
            )
        if found is None:
            where = wiki or "any configured wiki"
            raise click.ClickException(
                f"{title!r} on {where} is neither an event page (with {{{{Campaign event}}}}) "
                f"nor a campaign page (with {{{{Campaign}}}}) on the hub {settings.hub_id}"
            )
        if output == "json":
            click.echo(reports.to_json(found, participants))
        elif output == "csv":
            click.echo(reports.to_csv(found, participants), nl=False)
        else:
            connection = run.farm[found.wiki]
            manifest = load_manifest(found.wiki, connection.config.lang)
            click.echo(reports.to_wikitext(found, manifest, connection.config.lang))
