"""Start and stop the ``php -S`` servers of the local wikis.

``php -S`` with PHP_CLI_SERVER_WORKERS forks workers that share the listening
socket, and they keep serving the port when the parent dies (killed, out of
memory). A pid file alone then leads nowhere and the port looks taken by a
stranger. So each server starts as its own process group (a new session),
stops as a group, and a process counts as ours by what /proc says it serves:
``php -S`` on our port with MW_CONFIG_FILE naming our settings file. Nothing
is ever killed for holding the port alone, nor for having a recorded pid
(pids are reused).
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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from campaignkit.devwiki.layout import MEDIAWIKI_ROOT, DevWikiLayout, LocalWiki
from campaignkit.devwiki.packages import DevWikiError

START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0
KILL_TIMEOUT = 5.0
WORKERS = 4
# php -S runs with opcache on (the cli-server SAPI follows opcache.enable, not
# enable_cli), and by default opcache looks at a changed file only every 2 s. The
# devwiki changes LocalSettings.php while its servers run (uploads, the captcha,
# throttles); a request right after such a change must see it.
PHP_OPTIONS = ("-d", "opcache.revalidate_freq=0")


@dataclass(frozen=True)
class ServerState:
    """What runs for one wiki: the group leader we started, every process serving it."""

    wiki: LocalWiki
    pid: int | None
    answering: bool
    processes: tuple[int, ...] = ()

    @property
    def orphaned(self) -> bool:
        """Workers still serve the wiki but the server we started is gone."""
        return self.pid is None and bool(self.processes)


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


def _proc_strings(pid: int, name: str) -> list[bytes]:
    try:
        return Path(f"/proc/{pid}/{name}").read_bytes().split(b"\0")
    except OSError:
        return []


def serves(pid: int, wiki: LocalWiki) -> bool:
    """Whether the process is ``php -S`` on the wiki's port with the wiki's settings file.

    A zombie has an empty command line, so a server that has exited never counts.
    """
    command = _proc_strings(pid, "cmdline")
    if not command or b"php" not in os.path.basename(command[0]):
        return False
    if b"-S" not in command or f"127.0.0.1:{wiki.port}".encode() not in command:
        return False
    return f"MW_CONFIG_FILE={wiki.settings_file}".encode() in _proc_strings(pid, "environ")


def wiki_processes(wiki: LocalWiki) -> list[int]:
    """Every process serving this wiki: the php -S parent and its workers, orphaned or not."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and serves(int(entry.name), wiki):
            pids.append(int(entry.name))
    return sorted(pids)


def _recorded_group(layout: DevWikiLayout, wiki: LocalWiki) -> int | None:
    """The process group ``start`` recorded (older pid files hold just the pid, the same)."""
    try:
        text = layout.pid_file(wiki).read_text().strip()
    except OSError:
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return int(json.loads(text)["pgid"])
    except (ValueError, KeyError, TypeError):
        return None


def _our_pid(layout: DevWikiLayout, wiki: LocalWiki) -> int | None:
    """The recorded server (its group's leader), if it is still alive and serving our wiki."""
    group = _recorded_group(layout, wiki)
    return group if group is not None and serves(group, wiki) else None


def state(layout: DevWikiLayout, wiki: LocalWiki) -> ServerState:
    """What runs for one wiki now."""
    return ServerState(
        wiki=wiki,
        pid=_our_pid(layout, wiki),
        answering=api_answers(wiki),
        processes=tuple(wiki_processes(wiki)),
    )


def start(
    layout: DevWikiLayout, wiki: LocalWiki, echo: Callable[[str], None] = lambda _line: None
) -> bool:
    """Start one wiki's server unless ours already runs; return whether we started it.

    Leftovers of ours that do not make a working server (workers whose parent
    died, or a parent that stopped answering) are stopped first.
    """
    if _our_pid(layout, wiki) is not None and api_answers(wiki):
        return False
    leftovers = wiki_processes(wiki)
    if leftovers:
        echo(f"{wiki.id}: stopping {len(leftovers)} leftover php -S processes of this wiki")
        stop(layout, wiki)
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
        "PHP_CLI_SERVER_WORKERS": str(WORKERS),
    }
    with layout.log_file(wiki).open("ab") as log:
        process = subprocess.Popen(
            ["php", *PHP_OPTIONS, "-S", f"127.0.0.1:{wiki.port}", "-t", str(MEDIAWIKI_ROOT)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            cwd=str(MEDIAWIKI_ROOT),
        )
    # A new session makes the server the leader of its own process group: pgid == pid.
    record = {"pid": process.pid, "pgid": process.pid, "port": wiki.port}
    layout.pid_file(wiki).write_text(json.dumps(record))
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


def _signal(pids: Iterable[int], group: int | None, signum: int) -> None:
    """Send a signal to our recorded group and to each process (some may be outside it)."""
    if group is not None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(group, signum)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signum)


def _alive(pid: int) -> bool:
    """Whether the process still exists and is not a zombie.

    An exiting process loses its command line before it closes its files, so
    only a zombie (or no process at all) is sure to have let go of the port.
    """
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] not in ("Z", "X")


def _wait_until_gone(pids: Iterable[int], seconds: float) -> list[int]:
    """Poll until none of the processes is alive; return those still alive at the deadline."""
    deadline = time.monotonic() + seconds
    while True:
        remaining = [pid for pid in pids if _alive(pid)]
        if not remaining or time.monotonic() >= deadline:
            return remaining
        time.sleep(0.05)  # waiting for processes to exit, not synchronizing a test


def stop(layout: DevWikiLayout, wiki: LocalWiki, timeout: float = STOP_TIMEOUT) -> bool:
    """Stop every process serving this wiki; return whether there was any.

    SIGTERM to the recorded group and to each process, then SIGKILL to what is
    left after ``timeout`` seconds.
    """
    group = _recorded_group(layout, wiki)
    processes = wiki_processes(wiki)
    layout.pid_file(wiki).unlink(missing_ok=True)
    if not processes:
        return False
    if group is not None and not any(_group_of(pid) == group for pid in processes):
        group = None  # the recorded group is gone; its number may belong to someone else now
    _signal(processes, group, signal.SIGTERM)
    remaining = _wait_until_gone(processes, timeout)
    if remaining:
        _signal(remaining, group, signal.SIGKILL)
        remaining = _wait_until_gone(remaining, KILL_TIMEOUT)
    if remaining:
        raise DevWikiError(
            f"{wiki.id}: php -S processes {', '.join(map(str, remaining))} did not stop"
        )
    return True


def _group_of(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None
