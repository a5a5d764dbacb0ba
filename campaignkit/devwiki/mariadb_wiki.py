"""A local wiki stored in MariaDB, for testing SQL against MediaWiki's own tables.

The Wiki Replicas on Toolforge are views over MediaWiki's MySQL tables
(``revision``, ``actor``, ``page``, ``archive``). The everyday local wikis use
SQLite, which has the same tables but not the replicas' SQL dialect, so metrics
that read the replicas are tested against this wiki. It is an ordinary local
wiki layout with ``database="mysql"``: the same installer, accounts, settings and
lifecycle as the others, with one wiki (the hub of its own configuration file).

The database is named ``campaignkit_<wiki id>`` and belongs to this wiki: a
fresh install drops it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from campaignkit.devwiki import database, lifecycle, servers
from campaignkit.devwiki.install import LocalAccounts
from campaignkit.devwiki.layout import DevWikiLayout, LocalWiki, WikiSpec

DEFAULT_PORT = 8815
WIKI_ID = "mariawiki"

Echo = Callable[[str], None]

__all__ = ["DEFAULT_PORT", "WIKI_ID", "MariaDBWiki", "down", "servers", "sql", "up"]


def _quiet(_line: str) -> None:
    return None


@dataclass(frozen=True)
class MariaDBWiki:
    """Where the MariaDB-backed wiki lives: its files, port and database name."""

    root: Path
    port: int = DEFAULT_PORT
    wiki_id: str = WIKI_ID
    lang: str = "en"

    @property
    def layout(self) -> DevWikiLayout:
        """The one-wiki MariaDB layout that the installer and the lifecycle run."""
        spec = WikiSpec(self.wiki_id, self.lang, "Campaignkit MariaDB wiki", True)
        return DevWikiLayout(
            root=Path(self.root), port=self.port, database="mysql", specs=(spec,), name="mariadb"
        )

    @property
    def wiki(self) -> LocalWiki:
        """The wiki as the server helpers see it."""
        return self.layout.hub

    @property
    def database(self) -> str:
        """The MariaDB database that holds this wiki's tables."""
        return self.wiki.database_name

    @property
    def config_path(self) -> Path:
        """A ready campaignkit configuration file with this wiki as its only (hub) wiki."""
        return self.layout.config_path

    def connect(self, **kwargs: Any) -> Any:
        """A pymysql connection to this wiki's database, as toolforge.connect gives one."""
        return database.connect(self.wiki, **kwargs)


def up(target: MariaDBWiki, echo: Echo = print) -> LocalAccounts:
    """Install when missing, start the server when not running, write the config."""
    return lifecycle.up(target.layout, echo)


def down(target: MariaDBWiki, echo: Echo = _quiet) -> bool:
    """Stop the server that ``up`` started (the database stays)."""
    return bool(lifecycle.down(target.layout, echo))


def sql(target: MariaDBWiki, statement: str, parameters: tuple[Any, ...] = ()) -> int:
    """Run one statement on the wiki's database (tests use it to backdate registrations)."""
    with target.connect(autocommit=True) as connection, connection.cursor() as cursor:
        return cursor.execute(statement, parameters)
