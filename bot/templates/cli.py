"""The bot's commands on ``campaignkit``: ``templates install``.

Registered on the main group by :func:`campaignkit.cli.register_plugins`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from campaignkit.run_context import RunContext

if TYPE_CHECKING:  # the installer loads SQLAlchemy and the wiki layer: not for --help
    from bot.templates.installer import PageResult
    from campaignkit.template_pages import TemplatePage

VERBS = {  # (outcome, dry run) -> what the line says
    ("created", False): "created",
    ("created", True): "would be created",
    ("updated", False): "updated",
    ("updated", True): "would be updated",
    ("unchanged", False): "unchanged",
    ("unchanged", True): "unchanged",
    ("skipped", False): "SKIPPED",
    ("skipped", True): "SKIPPED",
    ("failed", False): "FAILED",
    ("failed", True): "FAILED",
}


def _build_all(run: RunContext, wiki_ids: tuple[str, ...]) -> dict[str, list[TemplatePage]]:
    """Every wiki's pages, built before the first request so a broken source writes nothing."""
    from campaignkit.template_pages import TemplateSourceError, build_pages_for

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
    if result.outcome == "unchanged" and not verbose:
        return
    line = f"{result.wiki_id}: {result.title}: {VERBS[(str(result.outcome), dry_run)]}"
    if result.reason:
        line += f" - {result.reason}"
    if result.diff_url:
        line += f" (their change: {result.diff_url})"
    click.echo(line, err=result.outcome == "failed")
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
        from bot.run.loop import BotRun
        from bot.sync.cli import page_locks
        from bot.templates.installer import InstallOptions, InstallReport, TemplateInstallTask

        run.decide_dry_run(dry_run)
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
        task = TemplateInstallTask(pages_by_wiki, options)
        bot_run = BotRun(farm, settings, "templates", locks=page_locks(run), dry_run=run.dry_run)
        summary = bot_run.execute([task])
        for result in task.results:
            _print_result(result, run.dry_run, run.verbose)
        report.results.extend(task.results)
        for error in summary.errors:  # a page or wiki the loop could not treat at all
            click.echo(f"error {error}", err=True)
        counts = farm.request_counts()
        report.requests = {wiki_id: counts.get(wiki_id, 0) for wiki_id in pages_by_wiki}
        click.echo(report.summary_line())
        if report.failed or summary.errors:
            raise click.exceptions.Exit(1)
