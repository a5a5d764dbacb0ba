"""Where the local wikis live on disk, which ports they answer on, which database holds them.

One object holds every path so that ``up``, ``down``, ``reset``, ``status`` and
the test fixtures can never disagree about them. The everyday pair of wikis and
the MariaDB wiki of the replica tests are the same kind of object, so that one
installer and one lifecycle serve both.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from campaignkit.devwiki.account_creation import AccountCreation

MEDIAWIKI_ROOT = Path("/usr/share/mediawiki")
DIR_ENVVAR = "CAMPAIGNKIT_DEVWIKI_DIR"
PORT_ENVVAR = "CAMPAIGNKIT_DEVWIKI_PORT"
DEFAULT_PORT = 8801
BOT_APP_ID = "campaignkit"
DATABASES = ("sqlite", "mysql")


@dataclass(frozen=True)
class WikiSpec:
    """What a wiki is, before a layout gives it a port and a directory."""

    id: str
    lang: str
    sitename: str
    is_hub: bool


FARM = (
    WikiSpec("metawiki", "en", "Campaign Hub", True),
    WikiSpec("yowiki", "yo", "Wikipedia Yoruba (local)", False),
)


@dataclass(frozen=True)
class LocalWiki:
    """One local wiki: its id in the config, language, name and port."""

    id: str
    lang: str
    sitename: str
    port: int
    is_hub: bool
    directory: Path
    database: str = "sqlite"

    @property
    def server(self) -> str:
        """The base URL, as MediaWiki's $wgServer."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        """The wiki's api.php, as written to the configuration file."""
        return f"{self.server}/api.php"

    @property
    def settings_file(self) -> Path:
        """The LocalSettings.php that install.php writes and MW_CONFIG_FILE names."""
        return self.directory / "LocalSettings.php"

    @property
    def data_dir(self) -> Path:
        """The SQLite files of this wiki."""
        return self.directory / "data"

    @property
    def database_file(self) -> Path:
        """The main SQLite database, where the interwiki table lives."""
        return self.data_dir / f"{self.id}.sqlite"

    @property
    def database_name(self) -> str:
        """The database's name: the SQLite file's stem, or the MariaDB database."""
        return f"campaignkit_{self.id}" if self.database == "mysql" else self.id


@dataclass(frozen=True)
class DevWikiLayout:
    """The local wikis' directory tree, ports and database.

    ``name`` tells apart the queues (Redis prefix) of layouts that could share
    a port number over time; ``specs`` are the wikis, the first one is the hub.
    ``account_creation`` set here is recorded by ``up``; left at None, ``up``
    keeps what was recorded last (MediaWiki's defaults at first).
    """

    root: Path
    port: int = DEFAULT_PORT
    database: str = "sqlite"
    specs: tuple[WikiSpec, ...] = FARM
    name: str = "dev"
    account_creation: AccountCreation | None = None

    def __post_init__(self) -> None:
        # php -S runs in MediaWiki's directory: every path it is given must be absolute.
        object.__setattr__(self, "root", Path(self.root).expanduser().resolve())
        if self.database not in DATABASES:
            raise ValueError(f"database must be one of {', '.join(DATABASES)}")

    @classmethod
    def default(cls) -> DevWikiLayout:
        """The layout picked by the environment, else under the user's data directory."""
        root = os.environ.get(DIR_ENVVAR)
        if not root:
            base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
            root = str(Path(base) / "campaignkit" / "devwiki")
        from campaignkit.devwiki.account_creation import ENVVAR, AccountCreation
        from campaignkit.devwiki.packages import DevWikiError

        port_text = os.environ.get(PORT_ENVVAR) or str(DEFAULT_PORT)
        if not port_text.isdigit() or not 1024 <= int(port_text) <= 65000:
            raise DevWikiError(
                f"{PORT_ENVVAR} must be a port number (1024-65000); got {port_text!r}"
            )
        port = int(port_text)

        choice = os.environ.get(ENVVAR)
        account_creation = AccountCreation.from_text(choice) if choice else None
        return cls(root=Path(root).expanduser(), port=port, account_creation=account_creation)

    @property
    def wikis(self) -> tuple[LocalWiki, ...]:
        """By default the hub (English, like Meta) and a local-language wiki (Yoruba)."""
        return tuple(
            LocalWiki(
                spec.id,
                spec.lang,
                spec.sitename,
                self.port + index,
                spec.is_hub,
                self.wikis_dir / spec.id,
                self.database,
            )
            for index, spec in enumerate(self.specs)
        )

    @property
    def hub(self) -> LocalWiki:
        """The hub wiki."""
        return self.wikis[0]

    def wiki(self, wiki_id: str) -> LocalWiki:
        """One local wiki by its config id."""
        for wiki in self.wikis:
            if wiki.id == wiki_id:
                return wiki
        raise KeyError(wiki_id)

    @property
    def wikis_dir(self) -> Path:
        """The live wikis' files."""
        return self.root / "wikis"

    @property
    def pristine_dir(self) -> Path:
        """A copy of the freshly installed wikis that ``reset`` restores."""
        return self.root / "pristine"

    @property
    def run_dir(self) -> Path:
        """Pid files of the servers that ``up`` started."""
        return self.root / "run"

    @property
    def log_dir(self) -> Path:
        """The php -S logs, one per wiki."""
        return self.root / "logs"

    @property
    def config_path(self) -> Path:
        """The ready configuration file written by ``up``."""
        return self.root / "campaignkit.toml"

    @property
    def accounts_file(self) -> Path:
        """Throwaway local accounts and their passwords (mode 600)."""
        return self.root / "accounts.json"

    @property
    def account_creation_file(self) -> Path:
        """The account-creation choice that ``up`` recorded."""
        return self.root / "account-creation.json"

    @property
    def bot_password_file(self) -> Path:
        """The bot's BotPassword, referenced by the config's bot.password_file."""
        return self.root / "bot-password"

    def pid_file(self, wiki: LocalWiki) -> Path:
        """The pid file of one wiki's server."""
        return self.run_dir / f"{wiki.id}.pid"

    def log_file(self, wiki: LocalWiki) -> Path:
        """The server log of one wiki."""
        return self.log_dir / f"{wiki.id}.log"
