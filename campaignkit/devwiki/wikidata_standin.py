"""A plain third local wiki that stands in for Wikidata in metrics tests and demos.

Wikidata edits are ordinary revisions, counted like any wiki's; only "what is
an item" is Wikibase's (:mod:`bot.metrics.wikidata`), and on Wikidata items are
namespace 0, as a plain wiki's articles are. So no Wikibase is installed: this
is a one-wiki layout, like the MariaDB wiki of the replica tests
(:mod:`campaignkit.devwiki.mariadb_wiki`), on SQLite, with its own directory
and port, installed with the *same accounts* as the wikis it joins: the bot's
one BotPassword then logs in here too, and participants have the same names on
all three, as they have on Wikimedia's wikis with one global account.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from campaignkit.devwiki import install, lifecycle, servers
from campaignkit.devwiki.install import LocalAccounts
from campaignkit.devwiki.layout import DevWikiLayout, LocalWiki, WikiSpec
from campaignkit.devwiki.packages import ensure_installed

DEFAULT_PORT = 8817
WIKI_ID = "wikidatawiki"

Echo = Callable[[str], None]


def _quiet(_line: str) -> None:
    return None


@dataclass(frozen=True)
class WikidataStandIn:
    """Where the stand-in lives: its files and port."""

    root: Path
    port: int = DEFAULT_PORT
    wiki_id: str = WIKI_ID

    @property
    def layout(self) -> DevWikiLayout:
        """A one-wiki SQLite layout that the installer and the lifecycle run."""
        spec = WikiSpec(self.wiki_id, "en", "Wikidata (local stand-in)", True)
        return DevWikiLayout(root=Path(self.root), port=self.port, specs=(spec,), name="wikidata")

    @property
    def wiki(self) -> LocalWiki:
        """The wiki as the server helpers see it."""
        return self.layout.hub


def up(target: WikidataStandIn, accounts: LocalAccounts, echo: Echo = _quiet) -> LocalAccounts:
    """Install (with these accounts) when missing or installed with others, then start.

    ``accounts`` are those of the wikis it joins (``lifecycle.up`` returns them).
    """
    layout = target.layout
    installed = install.is_installed(layout)
    if installed and LocalAccounts.load(layout.accounts_file) != accounts:
        installed = False  # the other wikis were reinstalled with new passwords
    if not installed:
        ensure_installed(echo, layout.database)
        layout.root.mkdir(parents=True, exist_ok=True)
        for wiki in layout.wikis:
            servers.stop(layout, wiki)
            echo(f"Installing {wiki.id} (a plain wiki standing in for Wikidata)")
            install.install_wiki(wiki, accounts)
        accounts.save(layout.accounts_file)
    return lifecycle.up(layout, echo)


def down(target: WikidataStandIn, echo: Echo = _quiet) -> bool:
    """Stop the server that ``up`` started."""
    return bool(lifecycle.down(target.layout, echo))
