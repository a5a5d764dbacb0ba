"""``campaignkit worklist``: refresh worklist tables, and move worklists to and from CampaignEvents.

``campaignkit sync`` refreshes every worklist as part of its run; these
commands are for one page at a time and for the JSON that the CampaignEvents
extension imports and exports (``{"enwiki": ["Title", …]}``).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from campaignkit.run_context import RunContext


def _database_names(run: RunContext) -> dict[str, str]:
    """Each configured wiki's database name (``enwiki``), which CampaignEvents uses as the key."""
    from bot.worklists.sources import read_failures

    names = {}
    for connection in run.farm:
        try:
            names[connection.id] = connection.siteinfo().get("wikiid") or connection.id
        except read_failures():
            names[connection.id] = connection.id
    return names


def _page_wiki(run: RunContext, wiki: str | None) -> str:
    wiki_id = wiki or run.settings.hub_id
    run.settings.wiki(wiki_id)  # a ConfigError naming the configured wikis
    return wiki_id


def register(group: click.Group) -> None:
    """Add ``worklist refresh|export|import`` to the ``campaignkit`` command."""

    @group.group("worklist")
    def worklist() -> None:
        """Worklists: tables of articles to create or improve, with claims and progress."""

    @worklist.command("refresh")
    @click.argument("pages", nargs=-1)
    @click.option("--wiki", metavar="ID", help="Only worklist pages on this wiki.")
    @click.option("--dry-run", is_flag=True, help="Print unified diffs; write nothing.")
    @click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
    @click.pass_obj
    def refresh(
        run: RunContext, pages: tuple[str, ...], wiki: str | None, dry_run: bool, as_json: bool
    ) -> None:
        """Rebuild the tables of every worklist, or of the PAGES given (on --wiki or any wiki)."""
        from bot.run.output import print_summary
        from bot.run.summary import RunSummary
        from bot.sync.cli import page_locks
        from bot.worklists.job import WorklistJob

        dry_run = run.decide_dry_run(dry_run)
        summary = RunSummary("worklist refresh")
        job = WorklistJob(run.farm, run.settings, summary, dry_run=dry_run, locks=page_locks(run))
        outcomes = job.run(pages, wiki=wiki, strict=True)  # finishes the summary
        print_summary(
            summary,
            as_json=as_json,
            lines_before=[outcome.line() for outcome in outcomes],
            json_extra={
                "worklists": [vars(o) | {"edit": o.edit and o.edit.value} for o in outcomes]
            },
        )

    @worklist.command("export")
    @click.argument("page")
    @click.option("--wiki", metavar="ID", help="The wiki the worklist page is on (default: hub).")
    @click.option(
        "--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE."
    )
    @click.pass_obj
    def export(run: RunContext, page: str, wiki: str | None, output: Path | None) -> None:
        """Write every article of a worklist as CampaignEvents JSON ({"enwiki": ["Title", ...]}).

        Every item the sources give (not only the rows a limit shows), under the
        worklist's wiki with its titles there; a language gap's articles that have
        no title there yet stay under the source wiki, and a note says so.
        """
        from bot.run.summary import RunSummary
        from bot.worklists.interchange import export_document, export_json
        from bot.worklists.job import WorklistJob
        from bot.worklists.sources import SourceError
        from campaignkit.wiki.batch import read_text
        from campaignkit.wikitext.regions import RegionError

        wiki_id = _page_wiki(run, wiki)
        text = read_text(run.farm[wiki_id], page)
        if not text.exists:
            raise click.ClickException(f"{wiki_id}:{page} does not exist")
        job = WorklistJob(run.farm, run.settings, RunSummary("worklist export"))
        try:
            definition, items = job.export_items(wiki_id, text)
        except (SourceError, RegionError) as error:
            raise click.ClickException(str(error)) from error
        exported = export_document(items, definition.wiki, _database_names(run))
        for note in exported.notes:
            click.echo(f"note: {note}", err=True)
        document = export_json(exported.document)
        if output is None:
            click.echo(document, nl=False)
        else:
            output.write_text(document, encoding="utf-8")
            click.echo(f"{sum(len(v) for v in json.loads(document).values())} titles -> {output}")

    @worklist.command("import")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--page", required=True, help="The worklist page to create or add to.")
    @click.option("--wiki", metavar="ID", help="The wiki the worklist page is on (default: hub).")
    @click.option(
        "--from-wiki",
        metavar="KEY",
        help="Which of the file's wikis to import (its key, or our wiki id) when it has several.",
    )
    @click.option("--replace", is_flag=True, help="Replace the box's titles instead of adding.")
    @click.option("--dry-run", is_flag=True, help="Print the diff; write nothing.")
    @click.pass_obj
    def import_(
        run: RunContext,
        file: Path,
        page: str,
        wiki: str | None,
        from_wiki: str | None,
        replace: bool,
        dry_run: bool,
    ) -> None:
        """Put the titles of a CampaignEvents worklist FILE into a {{Worklist}} box on --page."""
        from bot.run.summary import RunSummary
        from bot.run.writer import PageWriter
        from bot.sync.cli import page_locks
        from bot.worklists.interchange import (
            InterchangeError,
            merge_titles,
            new_page_text,
            pick_wiki,
            read_worklist_file,
        )
        from campaignkit.manifest import load_manifest
        from campaignkit.wiki.batch import PageText
        from campaignkit.wiki.editing import EditRequest, TransformError

        dry_run = run.decide_dry_run(dry_run)
        wiki_id = _page_wiki(run, wiki)
        try:
            document = read_worklist_file(file)
            articles_wiki, titles = pick_wiki(document, _database_names(run), from_wiki)
        except InterchangeError as error:
            raise click.ClickException(str(error)) from error
        manifest = load_manifest(wiki_id, run.settings.wiki(wiki_id).lang)

        def transform(current: PageText) -> str:
            if not current.exists:
                return new_page_text(manifest, articles_wiki, titles)
            try:
                return merge_titles(
                    current.text, manifest, articles_wiki, titles, page=page, replace=replace
                )
            except InterchangeError as error:
                raise TransformError(str(error)) from error

        summary = (
            f"campaignkit: worklist import of {len(titles)} titles from {file.name} "
            f"(CampaignEvents format; {run.settings.docs_url})"
        )
        # The bot's one write door: the stop page, the page lock, {{nobots}}, the safe edit.
        writer = PageWriter(
            run.farm,
            run.settings,
            RunSummary("worklist import"),
            locks=page_locks(run),
            dry_run=dry_run,
        )
        result = writer.write(wiki_id, EditRequest(page, transform, summary))
        if result.diff and dry_run:
            click.echo(result.diff)
        if result.outcome.value in ("failed", "skipped"):
            raise click.ClickException(f"{wiki_id}:{page}: {result.outcome.value}: {result.reason}")
        click.echo(
            f"{wiki_id}:{page}: {result.outcome.value} ({len(titles)} titles of {articles_wiki})"
        )
