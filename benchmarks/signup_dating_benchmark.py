"""Dating sign-ups on pages of 500 and 5,000 revisions: requests and seconds.

Run by hand (it keeps its own scratch wikis, ports 8881/8882, under
``.state/bench-signups``, and leaves them running so that a second run reuses
the pages; stop them with ``--down``)::

    .venv/bin/python benchmarks/signup_dating_benchmark.py [--revisions 500 5000]

Fixtures (tests/signup_history.py): one sign-up page per size, imported with
``importDump.php``, revisions a minute apart, with sign-ups (100 per 1,000
revisions by default, some sharing an edit, one removed and added again) at
known revisions, read with the bot's own parser. For each page, as the bot:

- **first run**: every sign-up pending, no revision processed before: the
  whole history is listed, then searched;
- **scheduled run**: the bot last processed the page a few edits before the
  newest sign-up; the names added since then are pending;
- **state lost**: the same names, without the last processed revision;
- **old way, first run**: the walk from the newest revision backwards, 50 texts
  a request, until each pending name is seen absent (the code this replaced,
  kept here for comparison).

Columns: revisions listed; API requests (listing + text); texts read; seconds,
and of them the seconds spent in the parser; names dated at their exact
revision; names estimated because the bound was reached, and the most
revisions one of them is dated late; names dated at an earlier addition (a
name removed and added again between two probes of a first run: the module's
docstring says why); names claimed exact but not at an addition (must be 0).
Timings on this 2-core machine swing 2-3x with other load; compare within one
run.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.scratch_wikis import table  # noqa: E402
from bot.sync.signup_times import MAX_CONTENT_REQUESTS, PROBES_PER_ROUND, date_signups  # noqa: E402
from campaignkit.config import load_settings  # noqa: E402
from campaignkit.devwiki import lifecycle  # noqa: E402
from campaignkit.devwiki.layout import DevWikiLayout  # noqa: E402
from campaignkit.wiki.connection import WikiConnection  # noqa: E402
from campaignkit.wiki.users import parse_timestamp  # noqa: E402
from tests.signup_history import SignupHistory, build_signup_history, names_in  # noqa: E402

BENCH_DIR = REPO / ".state" / "bench-signups"
BENCH_PORT = 8881
WIKI = "metawiki"
SCHEDULED_BACK = 3  # the scheduled run: the bot last processed the page this many edits
# before the newest sign-up


def history_for(layout: DevWikiLayout, revisions: int, signups: int) -> SignupHistory:
    """The page of this size: built once, then read back from its record."""
    record = layout.root / f"signup-history-{revisions}-{signups}.json"
    if record.is_file():
        saved = json.loads(record.read_text(encoding="utf-8"))
        return SignupHistory(
            saved["title"],
            saved["revids"],
            [datetime.fromisoformat(t) for t in saved["timestamps"]],
            saved["added_at"],
            saved["additions"],
        )
    started = time.monotonic()
    history = build_signup_history(
        layout.wiki(WIKI), f"Signup dating {uuid.uuid4().hex[:8]}", revisions, signups
    )
    print(f"imported {revisions} revisions in {time.monotonic() - started:.0f} s", file=sys.stderr)
    record.write_text(
        json.dumps(
            {
                "title": history.title,
                "revids": history.revids,
                "timestamps": [t.isoformat() for t in history.timestamps],
                "added_at": history.added_at,
                "additions": history.additions,
            }
        ),
        encoding="utf-8",
    )
    return history


def walk_from_newest(
    connection: WikiConnection,
    title: str,
    pending: Iterable[str],
    read_names: Callable[[str], set[str]],
) -> tuple[dict[str, int], int, int]:
    """The replaced way: 50 texts a request from the newest back, until each name is absent.

    Returns each name's revision, the requests made and the texts read.
    """
    waiting = set(pending)
    candidate: dict[str, int] = {}
    found: dict[str, int] = {}
    requests = texts = 0
    continuation: dict[str, str] = {"continue": ""}
    while waiting:
        answer = connection.api(
            action="query",
            prop="revisions",
            titles=title,
            rvprop="ids|timestamp|content",
            rvslots="main",
            rvlimit="50",
            rvdir="older",
            formatversion="2",
            **continuation,
        )
        requests += 1
        for revision in answer["query"]["pages"][0].get("revisions", []):
            texts += 1
            present = read_names(revision["slots"]["main"].get("content", ""))
            for name in list(waiting):
                if name in present:
                    candidate[name] = revision["revid"]
                elif name in candidate:
                    found[name] = candidate.pop(name)
                    waiting.discard(name)
            if not waiting:
                break
        if "continue" not in answer:
            break
        continuation = answer["continue"]
    found.update(candidate)
    return found, requests, texts


class TimedParser:
    """The bot's parser, timing itself: on long pages parsing is most of the seconds."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self, text: str) -> set[str]:
        started = time.perf_counter()
        try:
            return names_in(text)
        finally:
            self.seconds += time.perf_counter() - started


def row(
    label: str,
    history: SignupHistory,
    dates: dict[str, int],
    exact_claimed: set[str],
    seconds: float,
    parser: TimedParser,
    **figures: object,
) -> dict[str, object]:
    """One printed row: figures, and the dated revisions checked against the plan.

    ``late`` is the most revisions an estimated name is dated after its addition;
    ``earlier`` counts names dated exactly at an addition before their latest
    (a name removed and added again between two probes: the plan has one);
    ``wrong`` counts names claimed exact at a revision that did not add them.
    """
    position = {revid: index for index, revid in enumerate(history.revids)}
    exact = {name for name, revid in dates.items() if revid == history.revid_of(name)}
    late = [position[dates[name]] - history.added_at[name] for name in set(dates) - exact_claimed]
    return {
        "run": label,
        "names": len(dates),
        **figures,
        "seconds": f"{seconds:.1f}",
        "parsing": f"{parser.seconds:.1f}",
        "exact": len(exact),
        "estimated": len(dates) - len(exact_claimed),
        "late": max(late, default=0),
        "earlier": sum(
            1 for name in exact_claimed - exact if position[dates[name]] in history.additions[name]
        ),
        "wrong": sum(
            1
            for name in exact_claimed - exact
            if position[dates[name]] not in history.additions[name]
        ),
    }


def measure(
    connection: WikiConnection, history: SignupHistory, cap: int, probes: int, old_way: bool
) -> list[dict[str, object]]:
    """First run, scheduled run, lost state and (optionally) the old way on one page."""
    n = len(history.revids)
    latest = connection.api(
        action="query",
        prop="revisions",
        revids=str(history.revids[-1]),
        rvprop="ids|timestamp",
        formatversion="2",
    )["query"]["pages"][0]["revisions"][0]
    assert parse_timestamp(latest["timestamp"]) == history.timestamps[-1]
    last_signup = max(history.added_at.values())
    since = last_signup - SCHEDULED_BACK  # the bot last saw the page a few edits before it
    recent = {name for name, at in history.added_at.items() if at > since}
    runs = [
        ("first run", set(history.added_at), None),
        ("scheduled run", recent, history.revids[since]),
        ("state lost", recent, None),
    ]
    rows = []
    for label, pending, since_revid in runs:
        parser = TimedParser()
        started = time.perf_counter()
        dating = date_signups(
            connection,
            history.title,
            pending,
            parser,
            latest_timestamp=latest["timestamp"],
            latest_revid=latest["revid"],
            latest_parentid=history.revids[-2],
            since_revid=since_revid,
            max_content_requests=cap,
            probes_per_round=probes,
        )
        seconds = time.perf_counter() - started
        rows.append(
            row(
                label,
                history,
                {name: date.revid for name, date in dating.dates.items()},
                {name for name, date in dating.dates.items() if date.exact},
                seconds,
                parser,
                revisions=n,
                listed=dating.revisions_listed,
                requests=f"{dating.requests} = {dating.listing_requests}+{dating.content_requests}",
                texts=dating.texts_read,
            )
        )
    if old_way:
        parser = TimedParser()
        started = time.perf_counter()
        dates, requests, texts = walk_from_newest(
            connection, history.title, set(history.added_at), parser
        )
        seconds = time.perf_counter() - started
        rows.append(
            row(
                "old way, first run",
                history,
                dates,
                set(dates),
                seconds,
                parser,
                revisions=n,
                listed=0,
                requests=str(requests),
                texts=texts,
            )
        )
    return rows


def main() -> None:
    """Build (once) and measure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--revisions", type=int, nargs="+", default=[500, 5000])
    parser.add_argument(
        "--signups-per-1000", type=int, default=100, help="sign-ups per 1,000 revisions"
    )
    parser.add_argument("--cap", type=int, default=MAX_CONTENT_REQUESTS, help="text requests")
    parser.add_argument("--probes", type=int, default=PROBES_PER_ROUND, help="texts per round")
    parser.add_argument("--no-old-way", action="store_true", help="Skip the old walk.")
    parser.add_argument("--down", action="store_true", help="Stop the scratch wikis and exit.")
    options = parser.parse_args()
    layout = DevWikiLayout(root=BENCH_DIR, port=BENCH_PORT)
    if options.down:
        lifecycle.down(layout)
        return
    lifecycle.up(layout, echo=lambda line: print(f"  {line}", file=sys.stderr))

    from campaignkit.wiki.connection import WikiFarm

    farm = WikiFarm(load_settings(layout.config_path))
    connection = farm[WIKI]
    connection.login()
    rows = []
    for revisions in options.revisions:
        signups = max(2, revisions * options.signups_per_1000 // 1000)
        history = history_for(layout, revisions, signups)
        rows += measure(connection, history, options.cap, options.probes, not options.no_old_way)
    farm.close()
    print(
        f"sign-up dating, bot account, text requests capped at {options.cap}; "
        "requests = listing + text"
    )
    print(table(rows, list(rows[0])))


if __name__ == "__main__":
    main()
