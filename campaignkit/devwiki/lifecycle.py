"""``campaignkit devwiki up|down|status|reset``: the local wikis as one unit.

The same functions run the MariaDB wiki of the replica tests (a layout with
``database="mysql"``), so both kinds of local wiki start, stop and report alike.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import tomli_w

from campaignkit.devwiki import database, install, servers
from campaignkit.devwiki.account_creation import AccountCreation
from campaignkit.devwiki.install import LocalAccounts
from campaignkit.devwiki.layout import DevWikiLayout
from campaignkit.devwiki.packages import DevWikiError, ensure_installed

Echo = Callable[[str], None]


def write_config(layout: DevWikiLayout, accounts: LocalAccounts) -> None:
    """Write a ready configuration file for the local wikis, with near-zero throttling."""
    layout.bot_password_file.touch(mode=0o600, exist_ok=True)
    os.chmod(layout.bot_password_file, 0o600)
    layout.bot_password_file.write_text(accounts.bot_password + "\n", encoding="utf-8")
    document: dict[str, Any] = {
        "hub": layout.hub.id,
        "wikis": {w.id: {"api": w.api_url, "lang": w.lang} for w in layout.wikis},
        "bot": {
            "username": accounts.bot_password_name,
            "password_file": layout.bot_password_file.name,
            "write_throttle": 0,
            "maxlag": 5,
            "max_retries": 2,
            "retry_wait": 1,
        },
        "services": {
            "state_dir": "state",
            "redis_url": "redis://127.0.0.1:6379/0",
            "redis_prefix": f"campaignkit-{layout.name}-{layout.port}",
        },
        "tool": {"name": "campaignkit", "contact": "local development wikis"},
    }
    header = "# Written by 'campaignkit devwiki up' for the local wikis; rewritten on every up.\n"
    layout.config_path.write_text(header + tomli_w.dumps(document), encoding="utf-8")


def up(layout: DevWikiLayout, echo: Echo = print) -> LocalAccounts:
    """Install when missing, start what is not running, write the config. Idempotent."""
    database.ensure_server(layout.database)
    if not install.is_installed(layout):
        ensure_installed(echo, layout.database)
        layout.root.mkdir(parents=True, exist_ok=True)
        for wiki in layout.wikis:
            servers.stop(layout, wiki)
        install.install_all(layout, echo)
    account_creation = account_creation_of(layout)
    account_creation.save(layout.account_creation_file)
    for wiki in layout.wikis:
        install.write_local_settings(wiki, account_creation)
    accounts = install.add_missing_accounts(layout, LocalAccounts.load(layout.accounts_file))
    for wiki in layout.wikis:
        if servers.start(layout, wiki, echo):
            echo(f"Started {wiki.id} at {wiki.server}")
        else:
            echo(f"{wiki.id} already runs at {wiki.server}")
    write_config(layout, accounts)
    return accounts


def account_creation_of(layout: DevWikiLayout) -> AccountCreation:
    """The layout's own choice, else the one ``up`` recorded last, else MediaWiki's defaults."""
    return (
        layout.account_creation
        or AccountCreation.load(layout.account_creation_file)
        or AccountCreation()
    )


def down(layout: DevWikiLayout, echo: Echo = print) -> list[str]:
    """Stop the servers that ``up`` started, and nothing else; name the wikis stopped."""
    stopped = []
    for wiki in layout.wikis:
        if servers.stop(layout, wiki):
            echo(f"Stopped {wiki.id}")
            stopped.append(wiki.id)
        else:
            echo(f"{wiki.id} was not started by campaignkit")
    return stopped


def reset(layout: DevWikiLayout, echo: Echo = print) -> LocalAccounts:
    """Fresh wikis: SQLite ones in seconds from the pristine snapshot, others reinstalled."""
    database.ensure_server(layout.database)
    if not install.is_installed(layout):
        return up(layout, echo)
    for wiki in layout.wikis:
        servers.stop(layout, wiki)
    if install.can_snapshot(layout):
        install.restore_snapshot(layout)
        echo("Restored the pristine wikis")
    else:
        install.install_all(layout, echo)
    return up(layout, echo)


def status(layout: DevWikiLayout) -> dict[str, Any]:
    """What runs where, with the throwaway local accounts scripts need."""
    accounts = LocalAccounts.load(layout.accounts_file) if layout.accounts_file.is_file() else None
    wikis = []
    for wiki in layout.wikis:
        server = servers.state(layout, wiki)
        wikis.append(
            {
                "id": wiki.id,
                "lang": wiki.lang,
                "hub": wiki.is_hub,
                "api": wiki.api_url,
                "index": f"{wiki.server}/index.php",
                "pid": server.pid,
                "processes": list(server.processes),
                "running": server.answering,
                "installed": wiki.settings_file.is_file(),
            }
        )
    result: dict[str, Any] = {
        "directory": str(layout.root),
        "database": layout.database,
        "config": str(layout.config_path),
        "hub": layout.hub.id,
        "wikis": wikis,
        "accounts": None,
        "account_creation": account_creation_of(layout).describe(),
    }
    if accounts is not None:
        result["accounts"] = {
            "admin": {"username": accounts.admin_user, "password": accounts.admin_password},
            "bot": {
                "username": accounts.bot_user,
                "password": accounts.bot_main_password,
                "botpassword_username": accounts.bot_password_name,
                "botpassword": accounts.bot_password,
            },
            "users": [
                {"username": n, "password": p, "groups": accounts.groups.get(n, [])}
                for n, p in accounts.users.items()
            ],
        }
    return result


__all__ = ["DevWikiError", "down", "reset", "status", "up", "write_config"]
