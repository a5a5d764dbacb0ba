"""The ``campaignkit`` command: the command line's composition root.

Global options (``--config``, ``-v``, ``--dry-run``) live on the group and
reach every subcommand through :class:`~campaignkit.run_context.RunContext`.
Expected failures (a bad config key, a wiki that does not answer, a refused
login) end the command with one line that names what is wrong, not a traceback.

The subcommands of the bot, the jobs and the webservice live beside the code
they run (``bot/sync/cli.py`` and so on). This module names them in
:data:`LAZY_COMMANDS` and imports one only when it runs, so ``campaignkit
--help`` and ``campaignkit devwiki status`` load none of pywikibot, Flask,
Celery or SQLAlchemy. It is the one place in the core allowed to reach up
into ``bot/``, ``jobs/`` and ``webservice/`` (``tests/test_layers.py`` checks it).
"""

from __future__ import annotations

import importlib
import json
from typing import Any

import click

from campaignkit.config import ConfigError
from campaignkit.devwiki.packages import DevWikiError
from campaignkit.run_context import RunContext, configure_logging
from campaignkit.services import ServiceUnavailable
from campaignkit.wiki.errors import WikiError

EXPECTED_ERRORS = (ConfigError, WikiError, DevWikiError, ServiceUnavailable)

LAZY_COMMANDS: dict[str, tuple[str, str]] = {
    # name: (module whose register(group) adds it, the first line of the command's help)
    "templates": (
        "bot.templates.cli",
        "The wiki templates that hold campaign data (on-wiki contract).",
    ),
    "sync": (
        "bot.sync.cli",
        "Update participants tables, campaign events tables and their data.",
    ),
    "calendar": (
        "bot.calendar.cli",
        "Update the hub's calendar of every campaign's events and its data page.",
    ),
    "worklist": (
        "bot.worklists.cli",
        "Worklists: tables of articles to create or improve, with claims and progress.",
    ),
    "metrics": (
        "bot.metrics.cli",
        "Measure events and campaigns; write their metrics boxes; store a snapshot.",
    ),
    "report": (
        "bot.metrics.cli",
        "Measure one event or campaign PAGE now and print its metrics; write nothing.",
    ),
    "notify": (
        "bot.notifications.cli",
        "Post reminders before events and thank-yous with each person's figures after.",
    ),
    "web": (
        "webservice.cli",
        "Serve the organizers' web app (forms, dashboards, feeds, API).",
    ),
    "worker": (
        "jobs.cli",
        "Run the Celery worker (continuous Toolforge job); stops cleanly on SIGTERM.",
    ),
    "beat": (
        "jobs.cli",
        "Run Celery beat: queues the sync every 15 minutes (use this or jobs.yaml's cron).",
    ),
    "jobs": (
        "jobs.cli",
        "The task queue's state.",
    ),
}


class CampaignkitGroup(click.Group):
    """Loads subcommands on first use; turns expected errors into one line and exit code 1."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command, loaded or not."""
        return sorted(set(self.commands) | set(LAZY_COMMANDS))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command, importing the module that registers it the first time it is asked for."""
        if cmd_name not in self.commands and cmd_name in LAZY_COMMANDS:
            importlib.import_module(LAZY_COMMANDS[cmd_name][0]).register(self)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of ``--help``, without importing the lazy commands."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            command = self.commands.get(name)
            if command is not None:
                rows.append((name, command.get_short_help_str(limit)))
            else:
                rows.append(
                    (name, click.utils.make_default_short_help(LAZY_COMMANDS[name][1], limit))
                )
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the subcommand; report our own errors without a traceback."""
        try:
            return super().invoke(ctx)
        except EXPECTED_ERRORS as error:
            click.echo(f"Error: {error}", err=True)
            ctx.exit(1)


@click.group(cls=CampaignkitGroup)
@click.option(
    "--config",
    "config_path",
    metavar="PATH",
    envvar="CAMPAIGNKIT_CONFIG",
    help="Configuration file (default: ./campaignkit.toml, "
    "~/.config/campaignkit/config.toml, then the local wikis' file).",
)
@click.option("-v", "--verbose", is_flag=True, help="Show what pywikibot and the bot do.")
@click.option(
    "--dry-run", is_flag=True, help="Read everything, write nothing; show what would change."
)
@click.version_option(package_name="campaignkit")
@click.pass_context
def main(ctx: click.Context, config_path: str | None, verbose: bool, dry_run: bool) -> None:
    """Campaign bookkeeping for Wikimedia wikis: bot jobs, local wikis and the webservice."""
    configure_logging(verbose)
    ctx.obj = RunContext(config_path=config_path, verbose=verbose, dry_run=dry_run)


@main.group()
def devwiki() -> None:
    """Local MediaWiki wikis (a hub and a Yoruba wiki) for development and tests."""


@devwiki.command("up")
def devwiki_up() -> None:
    """Install when missing, start both wikis and write their configuration file."""
    from campaignkit.devwiki import lifecycle
    from campaignkit.devwiki.layout import DevWikiLayout

    layout = DevWikiLayout.default()
    lifecycle.up(layout, echo=click.echo)
    click.echo(f"Configuration: {layout.config_path}")


@devwiki.command("down")
def devwiki_down() -> None:
    """Stop the wiki servers that 'up' started (nothing else)."""
    from campaignkit.devwiki import lifecycle
    from campaignkit.devwiki.layout import DevWikiLayout

    lifecycle.down(DevWikiLayout.default(), echo=click.echo)


@devwiki.command("reset")
def devwiki_reset() -> None:
    """Give fresh wikis in seconds by restoring the pristine snapshot."""
    from campaignkit.devwiki import lifecycle
    from campaignkit.devwiki.layout import DevWikiLayout

    lifecycle.reset(DevWikiLayout.default(), echo=click.echo)


@devwiki.command("status")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable, with local accounts.")
def devwiki_status(as_json: bool) -> None:
    """Say what runs where."""
    from campaignkit.devwiki import lifecycle
    from campaignkit.devwiki.layout import DevWikiLayout

    report = lifecycle.status(DevWikiLayout.default())
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    click.echo(f"Directory: {report['directory']}")
    click.echo(f"Configuration: {report['config']}")
    for wiki in report["wikis"]:
        state = (
            "running"
            if wiki["running"]
            else ("installed, stopped" if wiki["installed"] else "not installed")
        )
        hub = " (hub)" if wiki["hub"] else ""
        click.echo(f"{wiki['id']}{hub} [{wiki['lang']}]: {state} - {wiki['api']}")
    accounts = report["accounts"]
    if accounts:
        users = ", ".join(u["username"] for u in accounts["users"])
        click.echo(
            f"Accounts: {accounts['admin']['username']} (admin), "
            f"{accounts['bot']['botpassword_username']} (bot), {users}; "
            "passwords: devwiki status --json"
        )


@main.command()
@click.pass_obj
def wikis(run: RunContext) -> None:
    """List the configured wikis; check each answers and the bot may edit there."""
    settings = run.settings
    click.echo(f"Configuration: {settings.path}")
    failures = 0
    for connection in run.farm:
        wiki = connection.config
        label = f"{wiki.id}{' (hub)' if wiki.is_hub else ''} [{wiki.lang}] {wiki.api_url}"
        try:
            info = connection.siteinfo()
            connection.login()
            connection.check_rights()
        except WikiError as error:
            failures += 1
            click.echo(f"{label}: FAILED - {error}")
            continue
        groups = ", ".join(sorted(g for g in connection.groups() if g not in ("*", "user")))
        click.echo(
            f"{label}: answers ({info.get('generator')}), logged in as "
            f"{settings.bot.main_username}, groups: {groups}"
        )
    counts = run.farm.request_counts()
    click.echo("API requests: " + ", ".join(f"{k}={v}" for k, v in counts.items()))
    if failures:
        raise click.ClickException(f"{failures} wiki(s) failed the check")


@main.command()
@click.option("--web-port", default=8800, show_default=True, help="Port of the webservice.")
@click.option(
    "--no-wait",
    is_flag=True,
    help="Set everything up, print the URLs and leave it running (for scripts).",
)
@click.pass_obj
def demo(run: RunContext, web_port: int, no_wait: bool) -> None:
    """Local wikis, a sample campaign, the bot, a worker and the webservice; Ctrl-C stops them."""
    from campaignkit.demo import run_demo

    run_demo(echo=click.echo, verbose=run.verbose, web_port=web_port, wait=not no_wait)
