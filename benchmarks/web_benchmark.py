"""The webservice under load, served as in production: gunicorn exactly as the Procfile runs it.

``.venv/bin/python benchmarks/web_benchmark.py`` builds scratch wikis of its own
(ports 8921/8922, ``.state/bench-web-devwiki``) with a campaign of 40 events
(with coordinates, so the dashboard has its map), runs the bot's sync once so
the campaign has its events table and data pages, then starts the Procfile's
``web`` command (``gunicorn --workers 2 …``) on the tool's Redis with a short
cache lifetime (``cache_seconds = 5``: during a 20-second run every entry
expires about four times, so refreshes under load are part of what is
measured) and sends, open loop, 100 requests/s for 20 s:

1. to the campaign dashboard (``/campaign/<title>``, anonymous, as a link
   shared on a mailing list is opened);
2. to the JSON API (``/api/v1/campaigns/<title>``).

Latency is counted from the moment a request was *due*, not sent, so a server
that falls behind cannot hide its queue (no coordinated omission). It prints
p50/p95/p99/max per phase, the errors, how many times the wiki was read for
the campaign meanwhile (from the wiki's own request log is not available, so
from the number of refreshes the cache reports), and the bytes a first view
of the dashboard transfers (the page and every file it loads, compressed as a
browser accepts them). The load generator shares the machine's two cores with
gunicorn, Redis and the wikis: compare figures within one run.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shlex
import signal
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote, urlsplit

import requests
import tomli_w

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.scratch_wikis import REPO, fresh_wikis, import_pages, run_jobs, stop_wikis
from bot.sync.job import SyncJob
from campaignkit.config import load_settings
from campaignkit.services import ensure_redis
from campaignkit.wiki.connection import WikiFarm

CAMPAIGN = "Web benchmark campaign"
PORT = 8925
WIKI_PORT = 8921


def build(layout, events: int) -> None:
    """The campaign page on the hub and its events, half on each wiki, all with coordinates."""
    import_pages(
        layout.hub,
        [
            (
                CAMPAIGN,
                "{{Campaign|name=Web benchmark|start=2027-04-01|end=2027-04-30"
                "|hashtag=WebBenchmark|organizers=Ada Organizer"
                "|description=A campaign to measure the dashboard.}}\n\n"
                "{{Campaign bot region|events}}\n",
            )
        ],
    )
    pages: dict[str, list[tuple[str, str]]] = {w.id: [] for w in layout.wikis}
    for number in range(events):
        wiki = layout.wikis[number % 2]
        day = 1 + number % 28
        pages[wiki.id].append(
            (
                f"Web benchmark event {number:03d}",
                f"{{{{Campaign event|campaign={CAMPAIGN}|name=Event {number}"
                f"|start=2027-04-{day:02d} 10:00|end=2027-04-{day:02d} 16:00"
                f"|timezone=Africa/Lagos|format=hybrid|wiki={wiki.id}"
                f"|location=Venue {number}, Lagos"
                f"|coordinates={6 + number / 100:.4f}, {3 + number / 100:.4f}}}}}\n\n"
                "== Sign up ==\n{{Participant|Ada Organizer}}\n",
            )
        )
    for wiki in layout.wikis:
        import_pages(wiki, pages[wiki.id])


def sync(settings) -> None:
    """One bot sync: the campaign's events table and its events.json/.geojson."""
    farm = WikiFarm(settings)
    try:
        for connection in farm:
            connection.login()
        summary = SyncJob(farm, settings).run()
        print(f"  sync: {summary.edited} pages edited, {len(summary.errors)} errors")
    finally:
        farm.close()


def web_config(layout, path: Path) -> Path:
    """The scratch wikis' config plus the webservice's table, for gunicorn."""
    import tomllib

    raw = tomllib.loads(layout.config_path.read_text(encoding="utf-8"))
    raw["services"]["state_dir"] = str(layout.config_path.parent / raw["services"]["state_dir"])
    raw["services"]["redis_prefix"] = f"campaignkit-bench-web-{os.getpid()}"
    raw["bot"]["password_file"] = str(layout.config_path.parent / raw["bot"]["password_file"])
    raw["web"] = {"cache_seconds": 5, "retry_interval": 0, "secure_cookies": False}
    path.write_text(tomli_w.dumps(raw), encoding="utf-8")
    return path


def procfile_web_command(port: int) -> list[str]:
    """The Procfile's ``web:`` line, with this port and the virtualenv's gunicorn."""
    line = next(
        line.split(":", 1)[1]
        for line in (REPO / "Procfile").read_text(encoding="utf-8").splitlines()
        if line.startswith("web:")
    )
    # the same command, listening on the loopback only (this is a load test on this machine)
    line = line.replace("${PORT:-8000}", str(port)).replace("--access-logfile -", "")
    line = line.replace("0.0.0.0:", "127.0.0.1:")
    command = shlex.split(line)
    command[0] = str(Path(sys.executable).parent / command[0])
    return command


def start_gunicorn(config: Path, port: int) -> subprocess.Popen:
    """gunicorn as the Procfile runs it; returns once /healthz answers."""
    command = procfile_web_command(port)
    print("  " + " ".join(command))
    process = subprocess.Popen(
        command,
        cwd=REPO,
        env={**os.environ, "CAMPAIGNKIT_CONFIG": str(config)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        wait_until_healthy(process, port)
    except BaseException:
        stop(process)
        raise
    return process


def wait_until_healthy(process: subprocess.Popen, port: int) -> None:
    """Return once gunicorn's /healthz answers; raise if it stops or never answers."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=10).ok:
                return
        except requests.RequestException:  # still booting its workers
            pass
        if process.poll() is not None:
            raise SystemExit(f"gunicorn stopped: {process.stderr.read().decode()[-2000:]}")
        time.sleep(0.2)  # polling a server that is starting; not a measurement
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def stop(process: subprocess.Popen) -> None:
    """Stop gunicorn (its master and workers: its own process group)."""
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def open_loop(url: str, rate: float, seconds: float) -> tuple[list[float], int]:
    """Send ``rate`` requests/s for ``seconds``; latencies (ms) from each request's due time."""
    total = int(rate * seconds)
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    headers = {"Accept-Encoding": "br, gzip"}

    def one(due: float) -> float | None:
        # http.client, not requests: the load generator shares the two cores with the
        # server, and requests costs several times more CPU per call
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        try:
            connection.request("GET", target, headers=headers)
            answer = connection.getresponse()
            answer.read()
            ok = answer.status == 200
        except OSError:
            ok = False
        finally:
            connection.close()
        return (time.perf_counter() - due) * 1000 if ok else None

    start = time.perf_counter() + 0.5
    futures = []
    with ThreadPoolExecutor(max_workers=64) as pool:
        for number in range(total):
            due = start + number / rate
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)  # pacing the open loop, not waiting for a result
            futures.append(pool.submit(one, due))
        results = [f.result() for f in futures]
    latencies = [r for r in results if r is not None]
    return latencies, total - len(latencies)


def server_cpu_seconds(process: subprocess.Popen) -> float:
    """CPU time (user + system) used so far by gunicorn's workers, from /proc."""
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
    total = 0
    for child in children:
        fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], share: float) -> float:
    """The value below which ``share`` of ``values`` lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def first_view_bytes(base: str, path: str) -> tuple[int, int]:
    """Bytes transferred (compressed) by a first view of ``path``: the page and what it loads."""
    session = requests.Session()
    headers = {"Accept-Encoding": "br, gzip"}
    page = session.get(base + path, headers=headers, stream=True)
    raw = page.raw.read(decode_content=False)
    total, count = len(raw), 1
    html = page.content if not raw else requests.get(base + path, headers=headers).text
    html = html if isinstance(html, str) else html.decode()
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
    assets += re.findall(r'data-geojson="([^"]+)"', html)
    for asset in dict.fromkeys(assets):
        answer = session.get(base + asset.replace("&amp;", "&"), headers=headers, stream=True)
        total += len(answer.raw.read(decode_content=False))
        count += 1
    return total, count


def main() -> None:
    """Build (scratch wikis, campaign, sync), serve with gunicorn, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=40)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--keep", action="store_true", help="Leave the scratch wikis running.")
    args = parser.parse_args()
    layout = fresh_wikis("bench-web-devwiki", WIKI_PORT)
    try:
        build(layout, args.events)
        run_jobs(layout)
        settings = load_settings(layout.config_path)
        ensure_redis(settings.redis_url)
        sync(settings)
        config = web_config(layout, layout.config_path.parent / "web-benchmark.toml")
        server = start_gunicorn(config, PORT)
        base = f"http://127.0.0.1:{PORT}"
        try:
            title = quote(CAMPAIGN)
            phases = [
                ("dashboard", f"/campaign/{title}"),
                ("API", f"/api/v1/campaigns/{title}"),
            ]
            size, files = first_view_bytes(base, phases[0][1])
            print(f"first view of the dashboard: {size / 1024:.1f} KB in {files} responses")
            for name, path in phases:
                requests.get(base + path, timeout=30)  # one warm-up: the cache's first entry
                cpu_before, load_before = server_cpu_seconds(server), os.getloadavg()[0]
                latencies, errors = open_loop(base + path, args.rate, args.seconds)
                cpu = (server_cpu_seconds(server) - cpu_before) / max(1, len(latencies))
                print(
                    f"{name}: {len(latencies)} answers at {args.rate:.0f}/s for "
                    f"{args.seconds:.0f} s, {errors} errors; ms p50 "
                    f"{statistics.median(latencies):.1f}, p95 {percentile(latencies, 0.95):.1f}, "
                    f"p99 {percentile(latencies, 0.99):.1f}, max {max(latencies):.1f}; "
                    f"server CPU {cpu * 1000:.1f} ms per answer; machine load "
                    f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after"
                )
        finally:
            stop(server)
    finally:
        if not args.keep:
            stop_wikis(layout)


if __name__ == "__main__":
    main()
