"""A third local wiki stored in MariaDB, for testing SQL against MediaWiki's own tables.

The Wiki Replicas on Toolforge are views over MediaWiki's MySQL tables
(``revision``, ``actor``, ``page``, ``archive``). The two everyday local wikis use
SQLite, which has the same tables but cannot be queried with the replicas' SQL
dialect, so metrics that read the replicas are tested against this wiki: Debian's
MediaWiki installed with ``install.php --dbtype mysql`` into the local MariaDB
(root on 127.0.0.1, no password), served by ``php -S`` on its own port, with the
same accounts as the other local wikis (Admin, the bot with its BotPassword, and
the ordinary users) and its own ready configuration file.

Installing takes a few seconds; ``up`` is idempotent and starts only what is
not running. The database is named ``campaignkit_<wiki id>`` and belongs to this
wiki: ``install`` drops it only when this wiki's directory has no settings file
(a half-finished earlier install).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pymysql
import tomli_w

from campaignkit.devwiki import servers
from campaignkit.devwiki.install import LocalAccounts, finish_install
from campaignkit.devwiki.layout import MEDIAWIKI_ROOT, DevWikiLayout, LocalWiki
from campaignkit.devwiki.packages import DevWikiError, ensure_installed

DEFAULT_PORT = 8815
MARIADB_HOST = "127.0.0.1"
MARIADB_PORT = 3306
MARIADB_USER = "root"
WIKI_ID = "mariawiki"

Echo = Callable[[str], None]


@dataclass(frozen=True)
class MariaDBWiki:
    """Where the MariaDB-backed wiki lives: its files, port and database name."""

    root: Path
    port: int = DEFAULT_PORT
    wiki_id: str = WIKI_ID
    lang: str = "en"

    def __post_init__(self) -> None:
        # php -S runs in MediaWiki's directory: every path it is given must be absolute.
        object.__setattr__(self, "root", Path(self.root).expanduser().resolve())

    @property
    def layout(self) -> DevWikiLayout:
        """A layout whose run and log directories the php -S helpers use."""
        return DevWikiLayout(root=self.root, port=self.port)

    @property
    def wiki(self) -> LocalWiki:
        """The wiki as the server helpers see it."""
        return LocalWiki(
            self.wiki_id,
            self.lang,
            "Campaignkit MariaDB wiki",
            self.port,
            True,
            self.root / "wikis" / self.wiki_id,
        )

    @property
    def database(self) -> str:
        """The MariaDB database that holds this wiki's tables."""
        return f"campaignkit_{self.wiki_id}"

    @property
    def config_path(self) -> Path:
        """A ready campaignkit configuration file with this wiki as its only (hub) wiki."""
        return self.root / "campaignkit.toml"

    @property
    def accounts_file(self) -> Path:
        """Throwaway local accounts and passwords (mode 600)."""
        return self.root / "accounts.json"

    @property
    def bot_password_file(self) -> Path:
        """The bot's BotPassword, named by the configuration file."""
        return self.root / "bot-password"

    def connect(self, **kwargs: Any) -> pymysql.connections.Connection:
        """A pymysql connection to this wiki's database, as toolforge.connect gives one."""
        return pymysql.connect(
            host=MARIADB_HOST,
            port=MARIADB_PORT,
            user=MARIADB_USER,
            password="",
            database=self.database,
            charset="utf8mb4",
            **kwargs,
        )


def _server_connection() -> pymysql.connections.Connection:
    return pymysql.connect(
        host=MARIADB_HOST, port=MARIADB_PORT, user=MARIADB_USER, password="", charset="utf8mb4"
    )


def database_exists(target: MariaDBWiki) -> bool:
    """Whether the wiki's database is in MariaDB."""
    with _server_connection() as connection, connection.cursor() as cursor:
        cursor.execute("SHOW DATABASES LIKE %s", (target.database,))
        return cursor.fetchone() is not None


def is_installed(target: MariaDBWiki) -> bool:
    """Settings, accounts and database are all there."""
    return (
        target.wiki.settings_file.is_file()
        and target.accounts_file.is_file()
        and database_exists(target)
    )


def _drop_database(target: MariaDBWiki) -> None:
    with _server_connection() as connection, connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS `{target.database}`")


def ensure_php_mysql(echo: Echo = print) -> None:
    """PHP's MySQL driver (Debian's php-mysql), installed with apt-get when root."""
    loaded = subprocess.run(["php", "-m"], capture_output=True, text=True, check=False).stdout
    if "mysqli" in loaded.split():
        return
    if os.geteuid() != 0:
        raise DevWikiError("PHP's MySQL driver is missing; run: sudo apt-get install -y php-mysql")
    echo("Installing Debian package php-mysql")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "php-mysql"],
        env=env,
        capture_output=True,
        check=False,
    )


def install(target: MariaDBWiki, echo: Echo = print) -> LocalAccounts:
    """Run MediaWiki's installer against MariaDB and add our settings and accounts."""
    from campaignkit.services import ensure_mariadb

    ensure_installed(echo)
    ensure_php_mysql(echo)
    ensure_mariadb(MARIADB_HOST, MARIADB_PORT)
    wiki = target.wiki
    echo(f"Installing {wiki.id} on MariaDB database {target.database} in {wiki.directory}")
    servers.stop(target.layout, wiki)
    if wiki.directory.exists():
        shutil.rmtree(wiki.directory)
    _drop_database(target)
    (wiki.directory / "cache").mkdir(parents=True)
    accounts = LocalAccounts.generate()
    command = [
        "php",
        str(MEDIAWIKI_ROOT / "maintenance" / "install.php"),
        "--dbtype",
        "mysql",
        "--dbserver",
        f"{MARIADB_HOST}:{MARIADB_PORT}",
        "--dbuser",
        MARIADB_USER,
        "--dbpass",
        "",
        "--dbname",
        target.database,
        "--server",
        wiki.server,
        "--scriptpath",
        "",
        "--lang",
        wiki.lang,
        "--pass",
        accounts.admin_password,
        "--confpath",
        str(wiki.directory),
        wiki.sitename,
        accounts.admin_user,
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0 or not wiki.settings_file.is_file():
        detail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        raise DevWikiError(f"{wiki.id}: MediaWiki's install.php failed: {' '.join(detail)}")
    finish_install(wiki, accounts)
    accounts.save(target.accounts_file)
    return accounts


def write_config(target: MariaDBWiki, accounts: LocalAccounts) -> None:
    """A configuration file for this wiki alone, like the one ``devwiki up`` writes."""
    target.bot_password_file.touch(mode=0o600, exist_ok=True)
    os.chmod(target.bot_password_file, 0o600)
    target.bot_password_file.write_text(accounts.bot_password + "\n", encoding="utf-8")
    wiki = target.wiki
    document: dict[str, Any] = {
        "hub": wiki.id,
        "wikis": {wiki.id: {"api": wiki.api_url, "lang": wiki.lang}},
        "bot": {
            "username": accounts.bot_password_name,
            "password_file": target.bot_password_file.name,
            "write_throttle": 0,
            "maxlag": 5,
            "max_retries": 2,
            "retry_wait": 1,
        },
        "services": {
            "state_dir": "state",
            "redis_url": "redis://127.0.0.1:6379/0",
            "redis_prefix": f"campaignkit-mariadb-{target.port}",
        },
        "tool": {"name": "campaignkit", "contact": "local development wikis"},
    }
    header = "# Written by campaignkit.devwiki.mariadb_wiki for the MariaDB-backed local wiki.\n"
    target.config_path.write_text(header + tomli_w.dumps(document), encoding="utf-8")


def up(target: MariaDBWiki, echo: Echo = print) -> LocalAccounts:
    """Install when missing, start the server when not running, write the config."""
    if not is_installed(target):
        install(target, echo)
    accounts = LocalAccounts.load(target.accounts_file)
    if servers.start(target.layout, target.wiki):
        echo(f"Started {target.wiki_id} at {target.wiki.server}")
    write_config(target, accounts)
    return accounts


def down(target: MariaDBWiki) -> bool:
    """Stop the server that ``up`` started (the database stays)."""
    return servers.stop(target.layout, target.wiki)


def sql(target: MariaDBWiki, statement: str, parameters: tuple[Any, ...] = ()) -> int:
    """Run one statement on the wiki's database (tests use it to backdate registrations)."""
    with target.connect(autocommit=True) as connection, connection.cursor() as cursor:
        return cursor.execute(statement, parameters)
