"""The ``campaignkit`` command.

Global options (``--config``, ``-v``, ``--dry-run``) live on the group and
reach every subcommand through :class:`RunContext`. Expected failures (a bad
config key, a wiki that does not answer, a refused login) end the command
with one line that names what is wrong, not a traceback.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import click

from campaignkit.config import ConfigError, Settings, load_settings
from campaignkit.devwiki import lifecycle
from campaignkit.devwiki.layout import DevWikiLayout
from campaignkit.devwiki.packages import DevWikiError
from campaignkit.run_context import configure_logging
from campaignkit.services import ServiceUnavailable
from campaignkit.wiki.errors import WikiError

EXPECTED_ERRORS = (ConfigError, WikiError, DevWikiError, ServiceUnavailable)


@dataclass
class RunContext:
    """What the global options said, with the settings loaded on first use."""

    config_path: str | None
    verbose: bool
    dry_run: bool
    _settings: Settings | None = field(default=None, repr=False)
    _farm: Any = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        """The configuration, loaded once."""
        if self._settings is None:
            self._settings = load_settings(self.config_path)
        return self._settings

    @property
    def farm(self) -> Any:
        """The configured wikis (imports pywikibot only for commands that need it)."""
        if self._farm is None:
            from campaignkit.wiki.connection import WikiFarm

            self._farm = WikiFarm(self.settings, simulate=self.dry_run, verbose=self.verbose)
        return self._farm


class CampaignkitGroup(click.Group):
    """A click group that turns expected errors into one line on stderr and exit code 1."""

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
    layout = DevWikiLayout.default()
    lifecycle.up(layout, echo=click.echo)
    click.echo(f"Configuration: {layout.config_path}")


@devwiki.command("down")
def devwiki_down() -> None:
    """Stop the wiki servers that 'up' started (nothing else)."""
    lifecycle.down(DevWikiLayout.default(), echo=click.echo)


@devwiki.command("reset")
def devwiki_reset() -> None:
    """Give fresh wikis in seconds by restoring the pristine snapshot."""
    lifecycle.reset(DevWikiLayout.default(), echo=click.echo)


@devwiki.command("status")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable, with local accounts.")
def devwiki_status(as_json: bool) -> None:
    """Say what runs where."""
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


PLUGIN_MODULES = (
    "bot.cli",  # templates install
    "bot.sync_cli",  # sync
    "bot.worklist_cli",  # worklists
    "bot.metrics_cli",  # report, metrics
    "webservice.cli",  # web
    "jobs.cli",  # worker, beat, jobs status
)


def register_plugins() -> None:
    """Attach the subcommands that live with their concern (bot, webservice, jobs).

    Each module in :data:`PLUGIN_MODULES` has ``register(group)``; the command
    stays next to the code it runs. A module that does not exist yet is skipped.
    """
    import importlib

    for name in PLUGIN_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name != name:
                raise
            continue
        module.register(main)


register_plugins()
