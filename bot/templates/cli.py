"""The bot's commands on ``campaignkit``: ``templates install``.

Registered on the main group by :func:`campaignkit.cli.register_plugins`.
"""

from __future__ import annotations

import click

from bot.templates.installer import (
    InstallOptions,
    InstallReport,
    Outcome,
    PageResult,
    TemplateInstaller,
)
from campaignkit.run_context import RunContext
from campaignkit.template_pages import TemplatePage, TemplateSourceError, build_pages_for

VERBS = {
    (Outcome.CREATED, False): "created",
    (Outcome.CREATED, True): "would be created",
    (Outcome.UPDATED, False): "updated",
    (Outcome.UPDATED, True): "would be updated",
    (Outcome.UNCHANGED, False): "unchanged",
    (Outcome.UNCHANGED, True): "unchanged",
    (Outcome.SKIPPED, False): "SKIPPED",
    (Outcome.SKIPPED, True): "SKIPPED",
    (Outcome.FAILED, False): "FAILED",
    (Outcome.FAILED, True): "FAILED",
}


def _build_all(run: RunContext, wiki_ids: tuple[str, ...]) -> dict[str, list[TemplatePage]]:
    """Every wiki's pages, built before the first request so a broken source writes nothing."""
    settings = run.settings
    targets = list(wiki_ids) or [settings.hub_id] + [
        wiki_id for wiki_id in settings.wikis if wiki_id != settings.hub_id
    ]
    for wiki_id in targets:
        settings.wiki(wiki_id)  # a ConfigError naming the configured ids
    try:
        return {wiki_id: build_pages_for(settings, wiki_id) for wiki_id in targets}
    except TemplateSourceError as error:
        raise click.ClickException(f"templates_wikitext is broken: {error}") from error


def _print_result(result: PageResult, dry_run: bool, verbose: bool) -> None:
    """One line per page that needs attention (every page when verbose), diffs in dry run."""
    if result.outcome is Outcome.UNCHANGED and not verbose:
        return
    line = f"{result.wiki_id}: {result.title}: {VERBS[(result.outcome, dry_run)]}"
    if result.reason:
        line += f" - {result.reason}"
    if result.diff_url:
        line += f" (their change: {result.diff_url})"
    click.echo(line, err=result.outcome is Outcome.FAILED)
    if dry_run and result.diff:
        click.echo(result.diff)


def register(group: click.Group) -> None:
    """Add ``templates install`` to the ``campaignkit`` command."""

    @group.group("templates")
    def templates() -> None:
        """The wiki templates that hold campaign data (on-wiki contract)."""

    @templates.command("install")
    @click.option(
        "--wiki",
        "wiki_ids",
        multiple=True,
        metavar="ID",
        help="Install on this configured wiki only (repeatable; default: every wiki).",
    )
    @click.option(
        "--dry-run", is_flag=True, help="Show unified diffs of what would change; write nothing."
    )
    @click.option(
        "--force",
        is_flag=True,
        help="Also overwrite pages that someone else changed on the wiki since the last install.",
    )
    @click.pass_obj
    def install(run: RunContext, wiki_ids: tuple[str, ...], dry_run: bool, force: bool) -> None:
        """Create or update the template pages, the Lua module and tracking categories.

        A page is saved only when its text differs. A page whose last edit was
        not an install by the bot is reported (who, when, a diff link) and left
        alone unless --force. Exits non-zero when a page failed.
        """
        run.dry_run = run.dry_run or dry_run
        pages_by_wiki = _build_all(run, wiki_ids)
        settings = run.settings
        options = InstallOptions(
            bot_user=settings.bot.main_username,
            tool_name=settings.tool_name,
            docs_url=settings.docs_url,
            dry_run=run.dry_run,
            force=force,
        )
        farm = run.farm
        report = InstallReport(dry_run=run.dry_run)
        for wiki_id, pages in pages_by_wiki.items():
            results = TemplateInstaller(farm[wiki_id], options).install(pages)
            for result in results:
                _print_result(result, run.dry_run, run.verbose)
            report.results.extend(results)
        counts = farm.request_counts()
        report.requests = {wiki_id: counts.get(wiki_id, 0) for wiki_id in pages_by_wiki}
        click.echo(report.summary_line())
        if report.failed:
            raise click.exceptions.Exit(1)
