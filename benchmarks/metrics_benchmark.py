"""Benchmark: metrics of 20,000 participants over a 30-day window through the Action API.

Run by hand (it builds its own scratch wikis, ports 8841/8842, under
``.state/bench-metrics``, and leaves them running for a second run; stop them
with ``--down``)::

    .venv/bin/python benchmarks/metrics_benchmark.py [--users 20000] [--editors 1000]

Fixtures: 20,000 accounts and the editors' edits are made by
``campaignkit/devwiki/php/bulk_history.php`` in one PHP process (real
``User::createNew`` and ``WikiPage::doUserEditContent`` calls, committed every
500 lines) — ``createAndPromote.php`` per account would take hours. The edits
are made now, so the 30-day window is the 30 days ending now.

It prints, for the bot (500 names per request with ``apihighlimits``) and for
an account without high limits (50 names per request), the API requests and
seconds of ``ApiSource.contributions`` and the bound ``ceil(users / 50)``
requests per wiki per continuation page.
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.metrics.api_source import ApiSource  # noqa: E402
from bot.metrics.compute import event_figures  # noqa: E402
from bot.metrics.definitions import EventWindow, Participant  # noqa: E402
from campaignkit.config import load_settings  # noqa: E402
from campaignkit.devwiki import lifecycle  # noqa: E402
from campaignkit.devwiki.layout import MEDIAWIKI_ROOT, DevWikiLayout  # noqa: E402

BENCH_DIR = REPO / ".state" / "bench-metrics"
BENCH_PORT = 8841
WIKI = "yowiki"
BULK_SCRIPT = REPO / "campaignkit" / "devwiki" / "php" / "bulk_history.php"


class FiftyPerRequest(ApiSource):
    """The API source as an account without ``apihighlimits`` uses it."""

    def _users_per_request(self, connection):
        return 50


def make_fixtures(layout: DevWikiLayout, users: int, editors: int, edits_each: int) -> list[str]:
    """Accounts ``Bench 00000``..; the first ``editors`` of them edit ``edits_each`` times."""
    names = [f"Bench {i:05d}" for i in range(users)]
    wiki = layout.wiki(WIKI)
    marker = wiki.directory / f"bench-{users}-{editors}-{edits_each}.done"
    if marker.is_file():
        print(f"fixtures already in place ({marker.name})")
        return names
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False, encoding="utf-8") as tsv:
        for name in names:
            tsv.write(f"account\t{name}\n")
        for i in range(editors):
            for j in range(edits_each):
                text = "Benchmark article.\\n" + "x" * (100 + 10 * j)
                tsv.write(f"edit\t{names[i]}\tBench article {i:05d}\t{text}\n")
    started = time.monotonic()
    result = subprocess.run(
        ["php", str(BULK_SCRIPT), "--conf", str(wiki.settings_file), tsv.name],
        capture_output=True,
        text=True,
        env={**os.environ, "MW_CONFIG_FILE": str(wiki.settings_file)},
        cwd=str(MEDIAWIKI_ROOT),
        check=False,
    )
    os.unlink(tsv.name)
    if result.returncode != 0:
        raise SystemExit(f"bulk_history.php failed: {result.stderr or result.stdout}")
    print(f"fixtures: {result.stdout.strip()} in {time.monotonic() - started:.1f} s")
    marker.touch()
    return names


def measure(label: str, source: ApiSource, farm, names: list[str], window: EventWindow) -> None:
    """One pass: requests, seconds, and the figures (to see that the edits were found)."""
    before = farm.request_counts()[WIKI]
    started = time.monotonic()
    contributions = source.contributions(WIKI, names, window.start, window.end)
    seconds = time.monotonic() - started
    requests = farm.request_counts()[WIKI] - before
    figures = event_figures([Participant(n) for n in names], window, contributions).figures
    per_request = source._users_per_request(farm[WIKI])
    batches = math.ceil(len(names) / per_request)
    bound = math.ceil(len(names) / 50)
    print(
        f"{label}: {len(names)} participants, {per_request} names/request: "
        f"{requests} requests in {seconds:.2f} s "
        f"(name batches {batches}; bound ceil(users/50) = {bound} per continuation page); "
        f"found {figures.edits} edits, {figures.articles_created} articles created, "
        f"{figures.bytes_added} bytes added"
    )


def main() -> None:
    """Build (once) and measure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20000)
    parser.add_argument("--editors", type=int, default=1000)
    parser.add_argument("--edits-each", type=int, default=3)
    parser.add_argument("--down", action="store_true", help="Stop the scratch wikis and exit.")
    options = parser.parse_args()
    layout = DevWikiLayout(root=BENCH_DIR, port=BENCH_PORT)
    if options.down:
        lifecycle.down(layout)
        return
    started = time.monotonic()
    lifecycle.up(layout, echo=print)
    print(f"scratch wikis ready in {time.monotonic() - started:.1f} s")
    names = make_fixtures(layout, options.users, options.editors, options.edits_each)

    from campaignkit.wiki.connection import WikiFarm

    farm = WikiFarm(load_settings(layout.config_path))
    farm[WIKI].login()
    now = datetime.now(UTC)
    window = EventWindow(WIKI, now - timedelta(days=30), now)
    measure("bot (apihighlimits)", ApiSource(farm), farm, names, window)
    measure("without high limits", FiftyPerRequest(farm), farm, names, window)
    farm.close()


if __name__ == "__main__":
    main()
