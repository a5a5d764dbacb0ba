"""The local wikis' lifecycle, in a directory and on ports of its own."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable

import pytest

from campaignkit.devwiki import lifecycle, servers
from campaignkit.devwiki.layout import DevWikiLayout

pytestmark = pytest.mark.wiki


def api_get(wiki, **params):
    import urllib.parse
    import urllib.request

    query = urllib.parse.urlencode({**params, "format": "json", "formatversion": "2"})
    with urllib.request.urlopen(f"{wiki.api_url}?{query}", timeout=30) as response:
        return json.load(response)


def cli(layout: DevWikiLayout, *args: str) -> subprocess.CompletedProcess:
    env = {
        "CAMPAIGNKIT_DEVWIKI_DIR": str(layout.root),
        "CAMPAIGNKIT_DEVWIKI_PORT": str(layout.port),
        "PATH": "/usr/bin:/bin",
        "HOME": str(layout.root),
    }
    return subprocess.run(
        [sys.executable, "-m", "campaignkit", "devwiki", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def scratch_layout(tmp_path_factory):
    layout = DevWikiLayout(root=tmp_path_factory.mktemp("devwiki"), port=8821)
    yield layout
    lifecycle.down(layout, echo=lambda _line: None)


def test_up_status_idempotent_reset_down(scratch_layout):
    layout = scratch_layout
    first = cli(layout, "up")
    assert first.returncode == 0, first.stderr
    assert "Installing metawiki" in first.stdout

    status = json.loads(cli(layout, "status", "--json").stdout)
    assert status["config"] == str(layout.config_path)
    assert [(w["id"], w["lang"], w["hub"], w["running"]) for w in status["wikis"]] == [
        ("metawiki", "en", True, True),
        ("yowiki", "yo", False, True),
    ]
    assert status["wikis"][1]["api"] == "http://127.0.0.1:8822/api.php"
    assert status["accounts"]["bot"]["botpassword_username"] == "CampaignBot@campaignkit"
    assert [u["username"] for u in status["accounts"]["users"]] == [
        "Ada Organizer",
        "Bola Participant",
        "Chidi Coordinator",
    ]
    assert oct(layout.accounts_file.stat().st_mode & 0o777) == "0o600"
    pids = [w["pid"] for w in status["wikis"]]

    again = cli(layout, "up")
    assert again.returncode == 0, again.stderr
    assert "Installing" not in again.stdout
    assert "already runs" in again.stdout
    status_again = json.loads(cli(layout, "status", "--json").stdout)
    assert [w["pid"] for w in status_again["wikis"]] == pids
    assert status_again["accounts"] == status["accounts"]

    # Accounts exist with the right groups on both wikis.
    for wiki in layout.wikis:
        users = api_get(
            wiki,
            action="query",
            list="users",
            ususers="CampaignBot|Ada Organizer|Bola Participant|Chidi Coordinator|Admin",
            usprop="groups",
        )["query"]["users"]
        groups = {u["name"]: set(u.get("groups", [])) for u in users}
        assert "bot" in groups["CampaignBot"]
        assert "sysop" in groups["Admin"]
        assert "bot" not in groups["Ada Organizer"]
        assert "eventcoordinator" not in groups["Ada Organizer"]
        assert "eventcoordinator" in groups["Chidi Coordinator"]

    # A page created now is gone after reset, and reset is a copy, not a reinstall.
    wiki = layout.hub
    _edit_as_admin(wiki, status["accounts"]["admin"], "Scratch page", "temporary")
    assert (
        "missing" not in api_get(wiki, action="query", titles="Scratch page")["query"]["pages"][0]
    )
    started = time.monotonic()
    reset = cli(layout, "reset")
    elapsed = time.monotonic() - started
    assert reset.returncode == 0, reset.stderr
    assert "Restored the pristine wikis" in reset.stdout
    assert "Installing" not in reset.stdout
    assert elapsed < 20
    assert api_get(wiki, action="query", titles="Scratch page")["query"]["pages"][0]["missing"]

    down = cli(layout, "down")
    assert down.returncode == 0
    assert "Stopped metawiki" in down.stdout and "Stopped yowiki" in down.stdout
    assert not servers.port_in_use(layout.port)
    assert "not started by campaignkit" in cli(layout, "down").stdout


def test_down_leaves_a_foreign_server_alone(scratch_layout):
    layout = scratch_layout
    lifecycle.down(layout, echo=lambda _line: None)
    with socket.socket() as foreign:
        foreign.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        foreign.bind(("127.0.0.1", layout.port))
        foreign.listen()
        result = cli(layout, "down")
        assert result.returncode == 0
        assert servers.port_in_use(layout.port)
        blocked = cli(layout, "up")
        assert blocked.returncode == 1
        assert blocked.stderr.strip().endswith(
            "metawiki: port 8821 is taken by another program; stop it or set "
            "CAMPAIGNKIT_DEVWIKI_PORT to another port"
        )


def _edit_as_admin(wiki, admin, title, text):
    import requests

    session = requests.Session()
    token = session.get(
        wiki.api_url,
        params={"action": "query", "meta": "tokens", "type": "login", "format": "json"},
    ).json()
    session.post(
        wiki.api_url,
        data={
            "action": "login",
            "lgname": admin["username"],
            "lgpassword": admin["password"],
            "lgtoken": token["query"]["tokens"]["logintoken"],
            "format": "json",
        },
    )
    csrf = session.get(
        wiki.api_url, params={"action": "query", "meta": "tokens", "format": "json"}
    ).json()
    answer = session.post(
        wiki.api_url,
        data={
            "action": "edit",
            "title": title,
            "text": text,
            "format": "json",
            "token": csrf["query"]["tokens"]["csrftoken"],
        },
    ).json()
    assert answer["edit"]["result"] == "Success", answer


def _wait_for(condition: Callable[[], bool], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _kill_server_parent(layout: DevWikiLayout) -> list[int]:
    """SIGKILL the hub's php -S parent, as the OOM killer would; return its orphaned workers."""
    wiki = layout.hub
    before = servers.state(layout, wiki)
    assert before.pid is not None
    assert len(before.processes) == 1 + servers.WORKERS
    os.kill(before.pid, signal.SIGKILL)
    assert _wait_for(lambda: not servers.serves(before.pid, wiki))
    workers = [pid for pid in before.processes if pid != before.pid]
    assert servers.wiki_processes(wiki) == workers
    # The workers go on serving the port: the state down and up used to be stuck in.
    assert servers.api_answers(wiki)
    assert servers.state(layout, wiki).orphaned
    return workers


def test_down_stops_the_workers_of_a_killed_server(scratch_layout):
    layout = scratch_layout
    assert cli(layout, "up").returncode == 0
    _kill_server_parent(layout)

    down = cli(layout, "down")
    assert down.returncode == 0, down.stderr
    assert "Stopped metawiki" in down.stdout and "Stopped yowiki" in down.stdout
    assert servers.wiki_processes(layout.hub) == []
    assert not servers.port_in_use(layout.hub.port)


def test_up_replaces_the_workers_of_a_killed_server(scratch_layout):
    layout = scratch_layout
    assert cli(layout, "up").returncode == 0
    workers = _kill_server_parent(layout)

    up = cli(layout, "up")
    assert up.returncode == 0, up.stderr
    assert f"metawiki: stopping {len(workers)} leftover php -S processes" in up.stdout
    assert "Started metawiki" in up.stdout and "yowiki already runs" in up.stdout
    after = servers.state(layout, layout.hub)
    assert after.pid is not None and after.answering
    assert not set(workers) & set(after.processes)
    # The new server and its workers are one process group, the one recorded.
    assert {os.getpgid(pid) for pid in after.processes} == {after.pid}
    assert api_get(layout.hub, action="query", meta="siteinfo")["query"]["general"]["lang"] == "en"


def test_down_kills_a_server_process_that_ignores_sigterm(scratch_layout):
    layout = scratch_layout
    assert cli(layout, "up").returncode == 0
    wiki = layout.hub
    stuck = servers.state(layout, wiki).processes[-1]
    os.kill(stuck, signal.SIGSTOP)  # a stopped process leaves SIGTERM pending
    started = time.monotonic()
    assert servers.stop(layout, wiki, timeout=1.0)
    assert time.monotonic() - started >= 1.0
    assert servers.wiki_processes(wiki) == []
    assert not servers.port_in_use(wiki.port)
    assert not layout.pid_file(wiki).exists()


def test_up_adds_the_accounts_an_older_install_lacks(scratch_layout):
    from dataclasses import replace

    from campaignkit.devwiki.install import COORDINATOR, LocalAccounts
    from campaignkit.devwiki.local_user import HumanEditor

    layout = scratch_layout
    assert cli(layout, "up").returncode == 0
    accounts = LocalAccounts.load(layout.accounts_file)
    older = replace(
        accounts, users={n: p for n, p in accounts.users.items() if n != COORDINATOR}, groups={}
    )
    older.save(layout.accounts_file)

    assert cli(layout, "up").returncode == 0
    upgraded = LocalAccounts.load(layout.accounts_file)
    assert upgraded.users.keys() == accounts.users.keys()
    assert upgraded.users[COORDINATOR] != accounts.users[COORDINATOR]
    for wiki in layout.wikis:
        coordinator = HumanEditor(wiki.api_url, COORDINATOR, upgraded.users[COORDINATOR])
        info = coordinator.get(action="query", meta="userinfo", uiprop="groups")
        assert "eventcoordinator" in info["query"]["userinfo"]["groups"]


def test_a_settings_change_shows_on_the_very_next_request(scratch_layout):
    """enable_uploads (and the captcha and throttle options) change LocalSettings.php
    while the server runs; the next request must not be served from a stale opcache."""
    from campaignkit.devwiki.uploads import enable_uploads

    layout = scratch_layout
    assert cli(layout, "up").returncode == 0
    wiki = layout.hub
    settings_before = wiki.settings_file.read_text(encoding="utf-8")
    uploads_file = wiki.directory / "campaignkit-uploads.php"
    try:
        assert (
            api_get(wiki, action="query", meta="siteinfo")["query"]["general"]["uploadsenabled"]
            is False
        )
        enable_uploads(wiki)
        general = api_get(wiki, action="query", meta="siteinfo")["query"]["general"]
        assert general["uploadsenabled"] is True
    finally:
        wiki.settings_file.write_text(settings_before, encoding="utf-8")
        uploads_file.unlink(missing_ok=True)
