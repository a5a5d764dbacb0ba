"""Sync at campaign scale: 500 events and 20,000 participants across the two local wikis.

Builds the campaign on scratch wikis (ports 8861/8862), then runs a first sync
and a no-change sync and prints, for each: API requests per wiki, edits,
seconds and peak memory. Run by hand:

    .venv/bin/python benchmarks/sync_benchmark.py [--events 500] [--participants 20000]
"""

from __future__ import annotations

import argparse
import resource
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.scratch_wikis import (
    create_accounts,
    fresh_wikis,
    import_pages,
    measured,
    run_jobs,
    stop_wikis,
    table,
)
from bot.run.page_state import PageState
from bot.sync.job import SyncJob
from campaignkit.config import load_settings
from campaignkit.locks import PageLocks
from campaignkit.wiki.connection import WikiFarm

CAMPAIGN = "Benchmark campaign"


def event_text(number: int, wiki_id: str, names: list[str]) -> str:
    """One event page: the template and its sign-ups, half templates, half signatures."""
    day = 1 + number % 28
    signups = []
    for index, name in enumerate(names):
        if index % 2:
            signups.append(f"# [[User:{name}|{name}]] ([[User talk:{name}|talk]]) 10:00")
        else:
            signups.append(f"{{{{Participant|{name}}}}}")
    return (
        f"{{{{Campaign event|campaign={CAMPAIGN}|name=Event {number}|start=2027-04-{day:02d} 10:00"
        f"|end=2027-04-{day:02d} 16:00|timezone=Africa/Lagos|format=hybrid|wiki={wiki_id}"
        f"|coordinates={6 + number / 1000:.4f}, {3 + number / 1000:.4f}}}}}\n"
        "An event of the benchmark campaign.\n\n== Sign up ==\n" + "\n".join(signups) + "\n"
    )


def build(layout, events: int, participants: int) -> None:
    """Accounts on both wikis, the campaign page, and the event pages split over the wikis."""
    names = [f"Bench user {n:05d}" for n in range(participants)]
    now = datetime.now(UTC)
    for wiki in layout.wikis:
        create_accounts(wiki, names[: participants // 10], now - timedelta(days=3))
        create_accounts(wiki, names[participants // 10 :], now - timedelta(days=400))
    per_event = max(1, participants // events)
    pages: dict[str, list[tuple[str, str]]] = {w.id: [] for w in layout.wikis}
    for number in range(events):
        wiki = layout.wikis[number % 2]
        chunk = names[number * per_event : (number + 1) * per_event]
        pages[wiki.id].append((f"Benchmark event {number:04d}", event_text(number, wiki.id, chunk)))
    import_pages(
        layout.hub,
        [
            (
                CAMPAIGN,
                (
                    "{{Campaign|name=Benchmark|start=2027-04-01|end=2027-04-30}}\n"
                    "The benchmark campaign.\n\n{{Campaign bot region|events}}\n"
                ),
            )
        ],
    )
    for wiki in layout.wikis:
        import_pages(wiki, pages[wiki.id])


def run_sync(settings, state, label: str) -> dict[str, object]:
    """One sync in a fresh farm (a new process would start the same way)."""
    farm = WikiFarm(settings)
    for connection in farm:
        connection.login()
    farm.counter.reset()
    with measured(trace_memory=False) as measure:
        summary = SyncJob(
            farm, settings, state=state, locks=PageLocks(None, settings.redis_prefix)
        ).run()
    farm.close()
    requests = summary.requests
    return {
        "run": label,
        "requests metawiki": requests.get("metawiki", 0),
        "requests yowiki": requests.get("yowiki", 0),
        "pages read": sum(summary.pages_read.values()),
        "edits": summary.edited,
        "unchanged": summary.outcomes.get("unchanged", 0),
        "errors": len(summary.errors),
        "seconds": f"{measure.seconds:.1f}",
        "peak RSS MB": f"{measure.rss_mb:.0f}",
    }


def main() -> None:
    """Build, sync twice, print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--participants", type=int, default=20000)
    parser.add_argument("--keep", action="store_true", help="Leave the scratch wikis running.")
    args = parser.parse_args()
    layout = fresh_wikis("bench-sync-devwiki", 8861)
    try:
        with measured() as building:
            build(layout, args.events, args.participants)
        print(
            f"Built {args.events} events, {args.participants} participants on 2 wikis "
            f"in {building.seconds:.0f} s",
            file=sys.stderr,
        )
        settings = load_settings(layout.config_path)
        state = PageState(f"sqlite:///{layout.root / 'bench-state.sqlite'}")
        with state.engine.begin() as connection:
            connection.exec_driver_sql("DELETE FROM event_pages")
        run_jobs(layout)
        first = run_sync(settings, state, "first sync")
        run_jobs(layout)
        rows = [first, run_sync(settings, state, "no change")]
        columns = list(rows[0])
        print(f"campaign: {args.events} events, {args.participants} participants, 2 wikis")
        print(table(rows, columns))
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"process peak RSS: {rss:.0f} MB")
    finally:
        if not args.keep:
            stop_wikis(layout)


if __name__ == "__main__":
    main()
