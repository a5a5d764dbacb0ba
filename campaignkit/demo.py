"""``campaignkit demo``: the main job on the embedded default, for a first-time user.

From a fresh machine to a working campaign page: start the local wikis and
Redis (when they are not running), install the templates, write a sample
campaign with events on both wikis, sign-ups and a worklist (as the local
organizer and participants), run the bot's sync and metrics, start a Celery
worker and the webservice, and print where to look and how to log in.
Ctrl-C stops everything the demo started, and nothing else.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from campaignkit.config import Settings, load_settings
from campaignkit.demo_campaign import SamplePages, write_sample_campaign
from campaignkit.devwiki import lifecycle, servers
from campaignkit.devwiki.layout import DevWikiLayout
from campaignkit.services import ensure_redis, redis_started_by_us

Echo = Callable[[str], None]


@dataclass
class Started:
    """What the demo started, so that Ctrl-C stops exactly that."""

    wikis: bool = False
    redis: str = ""
    processes: list[subprocess.Popen] = field(default_factory=list)

    def stop(self, layout: DevWikiLayout, echo: Echo) -> None:
        """Stop the worker, the webservice, then the wikis and Redis if we started them."""
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        if self.wikis:
            lifecycle.down(layout, echo=echo)
        if self.redis:
            subprocess.run(
                ["redis-cli", "-u", self.redis, "shutdown", "nosave"],
                capture_output=True,
                check=False,
            )
            echo("Stopped Redis")


def _campaignkit(config: Path, *args: str, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "campaignkit", "--config", str(config), *args],
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )


def _wait_for_http(url: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except OSError:
            time.sleep(0.3)  # polling a server that is starting
    return False


def _run_step(settings: Settings, echo: Echo, verbose: bool, *args: str) -> None:
    """One operator command on the demo's wikis, in a process of its own, as cron runs it.

    The demo composes the commands rather than the packages behind them, so it
    stays in the core layer; their last summary line is what the user sees. A
    failed step stops the demo (its errors are printed); ``sync`` and ``metrics``
    exit 1 when a page had an error, which the demo reports and goes on from.
    """
    command = [sys.executable, "-m", "campaignkit", "--config", str(settings.path)]
    result = subprocess.run(
        [*command, *(["-v"] if verbose else []), *args],
        capture_output=True,
        text=True,
        check=False,
    )
    lines = result.stdout.strip().splitlines()
    summary = next((line for line in lines if " run " in line), lines[-1] if lines else "")
    echo(summary or f"{args[0]}: no output")
    if result.returncode == 1 and args[0] in ("sync", "metrics"):
        for line in lines:
            if line.startswith(("error", "warning")):
                echo(f"  {line}")
        return
    if result.returncode != 0:
        raise RuntimeError(f"campaignkit {' '.join(args)} failed: {result.stderr.strip()}")


def _page_url(layout: DevWikiLayout, wiki_id: str, title: str) -> str:
    return f"{layout.wiki(wiki_id).server}/index.php/{quote(title.replace(' ', '_'))}"


def run_demo(
    echo: Echo = print, verbose: bool = False, web_port: int = 8800, wait: bool = True
) -> None:
    """Bring everything up, print where to look, and wait for Ctrl-C."""
    layout = DevWikiLayout.default()
    started = Started()
    started.wikis = not all(servers.state(layout, w).pid for w in layout.wikis)
    accounts = lifecycle.up(layout, echo=echo)
    settings = load_settings(layout.config_path)
    try:
        ensure_redis(settings.redis_url)
        started.redis = settings.redis_url if redis_started_by_us(settings.redis_url) else ""
        _run_step(settings, echo, verbose, "templates", "install")
        pages: SamplePages = write_sample_campaign(layout, accounts)
        echo(f"Sample campaign: {pages.campaign}")
        _run_step(settings, echo, verbose, "sync")
        _run_step(settings, echo, verbose, "metrics")
        logs = settings.state_dir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        started.processes.append(_campaignkit(settings.path, "worker", log=logs / "worker.log"))
        started.processes.append(
            _campaignkit(settings.path, "web", "--port", str(web_port), log=logs / "web.log")
        )
        web = f"http://127.0.0.1:{web_port}/"
        if not _wait_for_http(web + "healthz", 60):
            echo(f"The webservice did not answer; see {logs / 'web.log'}")
        echo("")
        echo("Open:")
        echo(f"  campaign page (hub):   {_page_url(layout, 'metawiki', pages.campaign)}")
        echo(f"  online event (hub):    {_page_url(layout, 'metawiki', pages.hub_event)}")
        echo(f"  Lagos event (yowiki):  {_page_url(layout, 'yowiki', pages.yo_event)}")
        echo(f"  worklist (hub):        {_page_url(layout, 'metawiki', pages.worklist)}")
        if settings.calendar_page:
            calendar = _page_url(layout, "metawiki", settings.calendar_page)
            echo(f"  calendar (hub):        {calendar}")
        echo(f"  webservice:            {web}")
        echo(f"  every campaign's events: {web}events")
        echo("Log in (wikis and webservice) with:")
        for name, password in accounts.users.items():
            echo(f"  {name} / {password}")
        echo(f"  {accounts.admin_user} / {accounts.admin_password} (administrator)")
        echo(f"Logs: {logs}; configuration: {layout.config_path}")
        if wait:
            echo("Press Ctrl-C to stop everything the demo started.")
            stop = threading.Event()
            signal.signal(signal.SIGTERM, lambda *_: stop.set())
            try:
                while not stop.wait(1):
                    if any(p.poll() is not None for p in started.processes):
                        echo("The worker or the webservice stopped; see the logs.")
                        break
            except KeyboardInterrupt:
                pass
    finally:
        if wait:
            started.stop(layout, echo)
