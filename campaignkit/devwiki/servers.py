"""Start and stop the ``php -S`` servers of the local wikis.

Each server's pid is recorded; ``down`` stops only a process whose pid file we
wrote and whose command line is our ``php -S`` on our port, so it never kills
something else that happens to hold the port.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from campaignkit.devwiki.layout import MEDIAWIKI_ROOT, DevWikiLayout, LocalWiki
from campaignkit.devwiki.packages import DevWikiError

START_TIMEOUT = 60.0


@dataclass(frozen=True)
class ServerState:
    """What runs for one wiki: our pid (if we started it) and whether it answers."""

    wiki: LocalWiki
    pid: int | None
    answering: bool


def port_in_use(port: int) -> bool:
    """Whether something accepts connections on 127.0.0.1:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def api_answers(wiki: LocalWiki, timeout: float = 5.0) -> bool:
    """Whether the wiki's api.php answers a siteinfo query with this wiki's language."""
    url = f"{wiki.api_url}?action=query&meta=siteinfo&format=json"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            general = json.load(response).get("query", {}).get("general", {})
    except (OSError, ValueError, urllib.error.URLError):
        return False
    return general.get("lang") == wiki.lang


def _our_pid(layout: DevWikiLayout, wiki: LocalWiki) -> int | None:
    """The pid from our pid file, if that process is still our php server."""
    pid_file = layout.pid_file(wiki)
    try:
        pid = int(pid_file.read_text().strip())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except (OSError, ValueError):
        return None
    if b"php" in cmdline[0] and f"127.0.0.1:{wiki.port}".encode() in cmdline:
        return pid
    return None


def state(layout: DevWikiLayout, wiki: LocalWiki) -> ServerState:
    """What runs for one wiki now."""
    return ServerState(wiki=wiki, pid=_our_pid(layout, wiki), answering=api_answers(wiki))


def start(layout: DevWikiLayout, wiki: LocalWiki) -> bool:
    """Start one wiki's server unless ours already runs; return whether we started it."""
    if _our_pid(layout, wiki) is not None and api_answers(wiki):
        return False
    if port_in_use(wiki.port):
        raise DevWikiError(
            f"{wiki.id}: port {wiki.port} is taken by another program; stop it or set "
            f"CAMPAIGNKIT_DEVWIKI_PORT to another port"
        )
    layout.run_dir.mkdir(parents=True, exist_ok=True)
    layout.log_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "MW_CONFIG_FILE": str(wiki.settings_file),
        "PHP_CLI_SERVER_WORKERS": "4",
    }
    with layout.log_file(wiki).open("ab") as log:
        process = subprocess.Popen(
            ["php", "-S", f"127.0.0.1:{wiki.port}", "-t", str(MEDIAWIKI_ROOT)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            cwd=str(MEDIAWIKI_ROOT),
        )
    layout.pid_file(wiki).write_text(str(process.pid))
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise DevWikiError(f"{wiki.id}: php -S exited at once; see {layout.log_file(wiki)}")
        if api_answers(wiki, timeout=2.0):
            return True
        time.sleep(0.2)  # polling a server that is booting, not synchronizing a test
    raise DevWikiError(
        f"{wiki.id}: api.php did not answer within {START_TIMEOUT:.0f} s; "
        f"see {layout.log_file(wiki)}"
    )


def stop(layout: DevWikiLayout, wiki: LocalWiki) -> bool:
    """Stop one wiki's server if we started it; return whether something was stopped."""
    pid = _our_pid(layout, wiki)
    layout.pid_file(wiki).unlink(missing_ok=True)
    if pid is None:
        return False
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and port_in_use(wiki.port):
        time.sleep(0.05)  # waiting for a process to exit, not synchronizing a test
    if port_in_use(wiki.port):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
    return True
