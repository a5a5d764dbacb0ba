"""Scratch local wikis for benchmarks: fresh wikis, pages and accounts in bulk.

Benchmarks build thousands of pages and accounts. Through the API that takes
hours, so fixtures are written the way MediaWiki's own tools do it:
``importTextFiles.php`` for pages (FACTS.md: 3,000 pages in about two minutes)
and direct rows in the ``user`` and ``actor`` tables for accounts, which is all
``list=users`` reads. The wikis live in their own directory and ports, so the
test wikis and a developer's demo wikis are never touched.
"""

from __future__ import annotations

import os
import resource
import secrets
import sqlite3
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from campaignkit.devwiki import lifecycle
from campaignkit.devwiki.layout import MEDIAWIKI_ROOT, DevWikiLayout, LocalWiki

REPO = Path(__file__).resolve().parent.parent


def fresh_wikis(name: str, port: int) -> DevWikiLayout:
    """Scratch wikis in ``.state/<name>``: installed once, reset to pristine every time."""
    layout = DevWikiLayout(root=REPO / ".state" / name, port=port)
    lifecycle.reset(layout, echo=lambda line: print(f"  {line}", file=sys.stderr))
    install_templates(layout)
    return layout


def stop_wikis(layout: DevWikiLayout) -> None:
    """Stop the scratch wikis' servers."""
    lifecycle.down(layout, echo=lambda _line: None)


def install_templates(layout: DevWikiLayout) -> None:
    """The contract's templates on both scratch wikis, through the real command."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "campaignkit",
            "--config",
            str(layout.config_path),
            "templates",
            "install",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"templates install failed: {result.stdout}{result.stderr}")


def import_pages(wiki: LocalWiki, pages: Iterable[tuple[str, str]], user: str = "Admin") -> int:
    """Create pages in bulk with importTextFiles.php; titles must be valid file names."""
    count = 0
    with tempfile.TemporaryDirectory() as directory:
        files = []
        for title, text in pages:
            path = Path(directory) / title
            path.write_text(text, encoding="utf-8")
            files.append(str(path))
            count += 1
        for start in range(0, len(files), 2000):  # keep the command line short enough
            subprocess.run(
                [
                    "php",
                    str(MEDIAWIKI_ROOT / "maintenance" / "importTextFiles.php"),
                    "--conf",
                    str(wiki.settings_file),
                    "--bot",
                    "--quiet",
                    "--user",
                    user,
                    "--summary",
                    "benchmark fixture",
                    *files[start : start + 2000],
                ],
                check=True,
                capture_output=True,
                env={**os.environ, "MW_CONFIG_FILE": str(wiki.settings_file)},
            )
    return count


def create_accounts(wiki: LocalWiki, names: Iterable[str], registered: datetime) -> int:
    """Accounts as rows in ``user`` and ``actor``: enough for list=users and contributions."""
    stamp = registered.astimezone(UTC).strftime("%Y%m%d%H%M%S")
    rows = [(name, "", "", "", "", stamp, secrets.token_hex(16), stamp, 0) for name in names]
    with sqlite3.connect(wiki.database_file, timeout=60) as database:
        database.executemany(
            "INSERT OR IGNORE INTO user (user_name, user_real_name, user_password, "
            "user_newpassword, user_email, user_touched, user_token, user_registration, "
            "user_editcount) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        database.execute(
            "INSERT INTO actor (actor_user, actor_name) SELECT user_id, user_name FROM user "
            "WHERE user_id NOT IN (SELECT actor_user FROM actor WHERE actor_user IS NOT NULL)"
        )
    return len(rows)


def run_jobs(layout: DevWikiLayout) -> None:
    """Drain the wikis' job queues, as Wikimedia's job runners do on other servers.

    After a burst of edits the local wikis owe hundreds of link-table jobs; left
    queued they are run by later API requests and that time is the wiki's, not
    the bot's. Benchmarks drain them between phases so that each phase measures
    the bot.
    """
    for wiki in layout.wikis:
        subprocess.run(
            [
                "php",
                str(MEDIAWIKI_ROOT / "maintenance" / "runJobs.php"),
                "--conf",
                str(wiki.settings_file),
            ],
            check=False,
            capture_output=True,
            env={**os.environ, "MW_CONFIG_FILE": str(wiki.settings_file)},
        )


@dataclass
class Measure:
    """Seconds and memory of one phase."""

    seconds: float = 0.0
    peak_mb: float = 0.0
    rss_mb: float = 0.0


@contextmanager
def measured(trace_memory: bool = True) -> Iterator[Measure]:
    """Time a block; report the process's peak RSS after it.

    ``trace_memory`` also records the peak of Python allocations (tracemalloc),
    which slows allocation-heavy code several times: measure seconds without it.
    """
    result = Measure()
    if trace_memory:
        tracemalloc.start()
    started = time.perf_counter()
    try:
        yield result
    finally:
        result.seconds = time.perf_counter() - started
        if trace_memory:
            result.peak_mb = tracemalloc.get_traced_memory()[1] / 1e6
            tracemalloc.stop()
        result.rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def table(
    rows: list[dict[str, object]],
    columns: list[str],
    formats: dict[str, Callable[[object], str]] | None = None,
) -> str:
    """A plain-text table for the benchmark's printout."""
    formats = formats or {}
    cells = [[formats.get(c, str)(row.get(c, "")) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join(lines)
