"""Install the local wikis: MediaWiki's installer, our settings, accounts, interwiki links.

One installer for SQLite and MariaDB wikis, so that the replica tests' wiki is
set up exactly like the everyday ones. Installing takes a few seconds per wiki;
``reset`` of SQLite wikis avoids repeating it by copying the pristine snapshot
taken right after the first install.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from campaignkit.devwiki import database
from campaignkit.devwiki.account_creation import EXEMPT_GROUP, AccountCreation
from campaignkit.devwiki.layout import BOT_APP_ID, MEDIAWIKI_ROOT, DevWikiLayout, LocalWiki
from campaignkit.devwiki.packages import DevWikiError

SETTINGS_FILE = "campaignkit-settings.php"
INCLUDE_LINE = f'require_once __DIR__ . "/{SETTINGS_FILE}";'
EXTRA_SETTINGS = """<?php
# Written by campaignkit devwiki on every 'up'; included from LocalSettings.php.
$wgArticlePath = "/index.php/$1";
$wgUsePathInfo = true;
$wgEnableUploads = false;
$wgShowExceptionDetails = true;
$wgMainCacheType = CACHE_NONE;
$wgSessionCacheType = CACHE_DB;
$wgParserCacheType = CACHE_DB;
$wgCacheDirectory = "{cache_dir}";
$wgLocalisationCacheConf['store'] = 'files';
$wgLocalisationCacheConf['storeDirectory'] = "{cache_dir}/l10n";
$wgEnableBotPasswords = true;
$wgInterwikiMagic = true;
$wgHiddenPrefs[] = 'realname';
$wgPasswordPolicy['policies']['default']['MinimalPasswordLength'] = 8;
$wgPasswordPolicy['policies']['default']['PasswordNotInCommonList'] = false;
$wgPasswordPolicy['policies']['sysop'] = $wgPasswordPolicy['policies']['default'];
$wgPasswordPolicy['policies']['bot'] = $wgPasswordPolicy['policies']['default'];
$wgPasswordPolicy['policies']['bureaucrat'] = $wgPasswordPolicy['policies']['default'];
$wgPasswordPolicy['policies']['interface-admin'] = $wgPasswordPolicy['policies']['default'];
$wgRCMaxAge = 10 * 365 * 24 * 3600;
$wgJobRunRate = 1;
# Run queued jobs in a separate request (php -S has several workers) instead of making
# an API caller wait for them: after a burst of bot edits every request would pay.
$wgRunJobsAsync = true;
wfLoadExtension( 'ParserFunctions' );
$wgPFEnableStringFunctions = true;
wfLoadExtension( 'Scribunto' );
$wgScribuntoDefaultEngine = 'luastandalone';
$wgScribuntoEngineConf['luastandalone']['luaPath'] = '/usr/bin/lua5.1';
wfLoadExtension( 'TemplateData' );
wfLoadExtension( 'Cite' );
wfLoadExtension( 'Interwiki' );
$wgGroupPermissions['sysop']['interwiki'] = true;
$wgGroupPermissions['bot']['noratelimit'] = true;
# Tests and demos edit quickly as ordinary users; Wikimedia's limits are far lower.
$wgRateLimits['edit']['user'] = [ 1000, 60 ];
$wgRateLimits['edit']['newbie'] = [ 1000, 60 ];
# Organizers who create many accounts at events, like Wikimedia's event coordinators
# and account creators: exempt from the account-creation throttle and from captchas.
$wgGroupPermissions['{exempt_group}']['noratelimit'] = true;
$wgGroupPermissions['{exempt_group}']['skipcaptcha'] = true;
"""


def write_local_settings(wiki: LocalWiki, account_creation: AccountCreation | None = None) -> None:
    """(Re)write our settings file and make sure LocalSettings.php includes it.

    Rewritten on every ``up`` so that wikis installed by an older campaignkit get
    the current settings without a reinstall.
    """
    text = EXTRA_SETTINGS.replace("{cache_dir}", str(wiki.directory / "cache")).replace(
        "{exempt_group}", EXEMPT_GROUP
    )
    (wiki.directory / SETTINGS_FILE).write_text(
        text + (account_creation or AccountCreation()).php_settings(), encoding="utf-8"
    )
    current = wiki.settings_file.read_text(encoding="utf-8")
    if INCLUDE_LINE not in current:
        with wiki.settings_file.open("a", encoding="utf-8") as settings:
            settings.write("\n" + INCLUDE_LINE + "\n")


BOT_GRANTS = "basic,highvolume,editpage,editprotected,createeditmovepage,editsiteconfig"
ORGANIZER = "Ada Organizer"
PARTICIPANT = "Bola Participant"
COORDINATOR = "Chidi Coordinator"


@dataclass(frozen=True)
class LocalAccounts:
    """The throwaway accounts on every local wiki, with their passwords."""

    admin_user: str
    admin_password: str
    bot_user: str
    bot_password_name: str
    bot_password: str
    bot_main_password: str
    users: dict[str, str]
    groups: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def generate(cls) -> LocalAccounts:
        """New random passwords; the names are fixed so docs and tests can name them."""
        return cls(
            admin_user="Admin",
            admin_password="admin-" + secrets.token_hex(6),
            bot_user="CampaignBot",
            bot_password_name=f"CampaignBot@{BOT_APP_ID}",
            bot_password=secrets.token_hex(16),
            bot_main_password="bot-" + secrets.token_hex(6),
            users={
                ORGANIZER: "ada-" + secrets.token_hex(6),
                PARTICIPANT: "bola-" + secrets.token_hex(6),
                COORDINATOR: "chidi-" + secrets.token_hex(6),
            },
            groups={COORDINATOR: [EXEMPT_GROUP]},
        )

    @classmethod
    def load(cls, path: Path) -> LocalAccounts:
        """Read the accounts that an earlier install wrote."""
        return cls(**json.loads(path.read_text(encoding="utf-8")))

    def save(self, path: Path) -> None:
        """Write the accounts readable by the owner only."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600, exist_ok=True)
        os.chmod(path, 0o600)
        path.write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")


def _php(script: str, wiki: LocalWiki, *args: str) -> str:
    """Run one MediaWiki maintenance script on one local wiki, failing loudly."""
    command = [
        "php",
        str(MEDIAWIKI_ROOT / "maintenance" / script),
        "--conf",
        str(wiki.settings_file),
        *args,
    ]
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "MW_CONFIG_FILE": str(wiki.settings_file)},
    )
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        raise DevWikiError(f"{wiki.id}: {script} failed: {' '.join(detail)}")
    return result.stdout


def install_wiki(wiki: LocalWiki, accounts: LocalAccounts) -> None:
    """Run MediaWiki's installer for one wiki and add the local settings and accounts."""
    if wiki.directory.exists():
        shutil.rmtree(wiki.directory)
    database.prepare_empty(wiki)
    (wiki.directory / "cache").mkdir(parents=True)
    command = [
        "php",
        str(MEDIAWIKI_ROOT / "maintenance" / "install.php"),
        *database.installer_arguments(wiki),
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


def finish_install(wiki: LocalWiki, accounts: LocalAccounts) -> None:
    """After MediaWiki's installer: our settings, the bot and the users."""
    write_local_settings(wiki)
    _php("createAndPromote.php", wiki, "--bot", accounts.bot_user, accounts.bot_main_password)
    for name, password in accounts.users.items():
        _create_user(wiki, name, password, accounts.groups.get(name, []))
    _php(
        "createBotPassword.php",
        wiki,
        "--appid",
        BOT_APP_ID,
        "--grants",
        BOT_GRANTS,
        accounts.bot_user,
        accounts.bot_password,
    )


def _create_user(
    wiki: LocalWiki, name: str, password: str, groups: list[str], force: bool = False
) -> None:
    """Create the account, or with ``force`` also reset an existing one's password and groups."""
    extra = ["--custom-groups", ",".join(groups)] if groups else []
    _php("createAndPromote.php", wiki, *extra, *(["--force"] if force else []), name, password)


def _user_names(wiki: LocalWiki) -> set[str]:
    with contextlib.closing(database.connect(wiki)) as connection:
        cursor = connection.cursor()
        cursor.execute("SELECT user_name FROM user")
        return {n.decode() if isinstance(n, bytes) else n for (n,) in cursor.fetchall()}


def add_missing_accounts(layout: DevWikiLayout, accounts: LocalAccounts) -> LocalAccounts:
    """Create the local accounts that campaignkit added after these wikis were installed.

    Also puts back accounts that ``reset`` took away with an older snapshot. The
    accounts file gains the new names and passwords; nothing else changes.
    """
    template = LocalAccounts.generate()
    missing = {n: p for n, p in template.users.items() if n not in accounts.users}
    if missing:
        accounts = replace(
            accounts,
            users={**accounts.users, **missing},
            groups={**template.groups, **accounts.groups},
        )
        accounts.save(layout.accounts_file)
    for wiki in layout.wikis:
        present = _user_names(wiki)
        for name, password in accounts.users.items():
            if name in missing or name not in present:
                _create_user(wiki, name, password, accounts.groups.get(name, []), force=True)
    return accounts


def link_wikis(layout: DevWikiLayout) -> None:
    """Make each wiki a language link (and the hub a ``meta:`` interwiki) of the others."""
    for wiki in layout.wikis:
        rows = [
            (prefix, f"{other.server}/index.php/$1", other.api_url, "", 1, 0)
            for other in layout.wikis
            if other.id != wiki.id
            for prefix in [other.lang] + (["meta", "m"] if other.is_hub else [])
        ]
        if rows:
            database.replace_rows(
                wiki,
                "interwiki",
                ("iw_prefix", "iw_url", "iw_api", "iw_wikiid", "iw_local", "iw_trans"),
                rows,
            )


def install_all(layout: DevWikiLayout, echo: Callable[[str], None] = print) -> LocalAccounts:
    """Install every wiki of the layout from scratch and take the pristine snapshot."""
    accounts = LocalAccounts.generate()
    for wiki in layout.wikis:
        where = "SQLite" if wiki.database == "sqlite" else f"MariaDB {wiki.database_name}"
        echo(f"Installing {wiki.id} ({wiki.lang}, {where}) in {wiki.directory}")
        install_wiki(wiki, accounts)
    link_wikis(layout)
    accounts.save(layout.accounts_file)
    take_snapshot(layout)
    return accounts


def can_snapshot(layout: DevWikiLayout) -> bool:
    """Whether copying the wikis' directories copies their data (SQLite's files do)."""
    return layout.database == "sqlite"


def take_snapshot(layout: DevWikiLayout) -> None:
    """Copy the freshly installed wikis aside so that ``reset`` takes seconds."""
    if layout.pristine_dir.exists():
        shutil.rmtree(layout.pristine_dir)
    if can_snapshot(layout):
        shutil.copytree(layout.wikis_dir, layout.pristine_dir)


def restore_snapshot(layout: DevWikiLayout) -> None:
    """Put the pristine wikis back in place of the live ones (servers must be stopped)."""
    if not layout.pristine_dir.is_dir():
        raise DevWikiError(f"no pristine snapshot in {layout.pristine_dir}; run 'devwiki up'")
    if layout.wikis_dir.exists():
        shutil.rmtree(layout.wikis_dir)
    shutil.copytree(layout.pristine_dir, layout.wikis_dir)


def is_installed(layout: DevWikiLayout) -> bool:
    """Every wiki (settings and database) and the accounts file exist."""
    return layout.accounts_file.is_file() and all(
        w.settings_file.is_file() and database.exists(w) for w in layout.wikis
    )
