"""Worklists of 1,000, 5,000 and 10,000 articles on scratch local wikis, against Pywikibot per item.

Builds (once; later runs reuse it) 10,000 articles on the hub of a scratch
pair of wikis (ports 8831/8832, in ``.state/bench-worklist``) with
importTextFiles.php: nested categories of 1,000, 5,000 and 10,000 articles,
a stub template on every 7th, a Yoruba language link on every 3rd (half of
those Yoruba articles exist), and a worklist page per size on the hub plus a
language-gap worklist per size on the Yoruba wiki.

For each size it prints, in one run: API requests of a full refresh (first
and unchanged: facts, ceil(N/5000) category pages and a fixed few for the
page, the events, the stop page and the save), of the item facts alone with
and without the bot flag next to the bounds ceil(N/500) and ceil(N/50), of a
language-gap refresh, and of
the straightforward Pywikibot way (``Page.exists()`` then ``Page.text`` per
article); seconds and peak Python memory (tracemalloc) for each. Run by hand:

    .venv/bin/python benchmarks/worklist_benchmark.py [--sizes 1000 5000 10000] [--keep]
"""

from __future__ import annotations

import argparse
import math
import resource
import sys
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.scratch_wikis import import_pages, measured, stop_wikis, table
from bot.run.summary import RunSummary
from bot.worklists import items as items_module
from bot.worklists import progress as progress_module
from bot.worklists import sources as sources_module
from bot.worklists.flags import DEFAULT_RULES
from bot.worklists.items import describe_items
from bot.worklists.job import WorklistJob
from bot.worklists.sources import category_pages
from campaignkit.config import Settings, load_settings
from campaignkit.devwiki import lifecycle
from campaignkit.devwiki.layout import DevWikiLayout
from campaignkit.locks import PageLocks
from campaignkit.wiki import batch as batch_module
from campaignkit.wiki.batch import read_text
from campaignkit.wiki.connection import WikiFarm
from campaignkit.wiki.editing import EditRequest, apply_edit

REPO = Path(__file__).resolve().parent.parent
MAX_ITEMS = 10_000
FIXTURE_MARK = "Bench worklist fixture"
FIXTURE_VERSION = "v1"


def article(number: int) -> tuple[str, str]:
    """One hub article: varied sizes, categories by size class, some stubs and language links."""
    text = f"Article number {number}. " * (3 + number % 40)
    categories = ["Bench 10000"]
    if number <= 5000:
        categories.append("Bench 5000")
    if number <= 1000:
        categories.append("Bench 1000")
    text += "".join(f"\n[[Category:{c}]]" for c in categories)
    if number % 7 == 0:
        text += "\n{{Stub}}"
    if number % 3 == 0:
        text += f"\n[[yo:Ohun {number:05d}]]"
    return f"Bench item {number:05d}", text


def build(layout: DevWikiLayout, sizes: list[int]) -> None:
    """The fixture, unless this version of it is already there."""
    hub, yoruba = layout.wikis
    farm = WikiFarm(load_settings(layout.config_path))
    mark = read_text(farm.hub, FIXTURE_MARK)
    farm.close()
    if mark.exists and mark.text.strip() == FIXTURE_VERSION:
        print("  fixture already built", file=sys.stderr)
        return
    with measured() as building:
        import_pages(hub, (article(n) for n in range(1, MAX_ITEMS + 1)))
        import_pages(
            yoruba,
            ((f"Ohun {n:05d}", f"Àyọkà {n}.") for n in range(6, MAX_ITEMS + 1, 6)),
        )
        import_pages(
            hub,
            [(f"Bench worklist {n}", worklist_text("metawiki", n)) for n in (1000, 5000, 10000)],
        )
        import_pages(
            yoruba,
            [(f"Bench gap {n}", worklist_text("yowiki", n, gap=True)) for n in (1000, 5000, 10000)],
        )
        import_pages(hub, [(FIXTURE_MARK, FIXTURE_VERSION)])
    print(f"  built {MAX_ITEMS} articles in {building.seconds:.0f} s", file=sys.stderr)


def worklist_text(wiki: str, size: int, gap: bool = False) -> str:
    """A worklist page whose source is the category of that size."""
    source = "|source_wiki=metawiki" if gap else ""
    return f"{{{{Worklist|wiki={wiki}{source}|category=Bench {size}}}}}\n\n== Claims ==\n"


def fresh_farm(settings: Settings) -> WikiFarm:
    """A farm logged in on both wikis, with its request counter at zero."""
    farm = WikiFarm(settings)
    for connection in farm:
        connection.rights()  # login and userinfo, as any run does once
    farm.counter.reset()
    return farm


def restore(settings: Settings, wiki: str, page: str, text: str) -> None:
    """Put a worklist page back as built (no table), so a first refresh is a first refresh."""
    farm = WikiFarm(settings)
    result = apply_edit(farm[wiki], EditRequest(page, lambda _p: text, "benchmark: reset"))
    farm.close()
    if result.outcome.value == "failed":
        raise RuntimeError(f"cannot reset {page}: {result.reason}")


def refresh(settings: Settings, wiki: str, page: str) -> dict[str, object]:
    """One ``worklist refresh PAGE`` in a fresh farm."""
    farm = fresh_farm(settings)
    summary = RunSummary("bench")
    with measured() as measure:
        outcomes = WorklistJob(
            farm, settings, summary, locks=PageLocks(None, settings.redis_prefix)
        ).run([page], wiki=wiki, strict=True)
    counts = farm.request_counts()
    farm.close()
    if summary.errors:
        raise RuntimeError("; ".join(summary.errors))
    return {
        "requests": sum(counts.values()),
        "detail": ", ".join(f"{k}={v}" for k, v in counts.items() if v),
        "seconds": measure.seconds,
        "peak_mb": measure.peak_mb,
        "outcome": outcomes[0].edit.value if outcomes and outcomes[0].edit else "?",
        "items": outcomes[0].total if outcomes else 0,
    }


def facts_only(settings: Settings, titles: list[str], *, bot_flag: bool) -> dict[str, object]:
    """The batched facts query alone; without the flag, batches of 50 as MediaWiki allows."""
    farm = fresh_farm(settings)
    patches = []
    if not bot_flag:
        for module in (items_module, sources_module, progress_module, batch_module):
            patches.append(mock.patch.object(module, "batch_size", lambda _c: 50))
    for patch in patches:
        patch.start()
    try:
        with measured() as measure:
            listing = describe_items(farm.hub, titles, DEFAULT_RULES)
    finally:
        for patch in patches:
            patch.stop()
    requests = farm.request_counts()["metawiki"]
    farm.close()
    assert len(listing.items) == len(titles)
    return {"requests": requests, "seconds": measure.seconds, "peak_mb": measure.peak_mb}


def pywikibot_per_item(settings: Settings, titles: list[str]) -> dict[str, object]:
    """The straightforward way: one ``Page.exists()`` and one ``Page.text`` per article."""
    farm = fresh_farm(settings)
    pywikibot = farm.pywikibot
    site = farm.hub.site
    with measured() as measure:
        sizes = {}
        for title in titles:
            page = pywikibot.Page(site, title)
            if page.exists():
                sizes[title] = len(page.text.encode())
    requests = farm.request_counts()["metawiki"]
    farm.close()
    assert len(sizes) == len(titles)
    return {"requests": requests, "seconds": measure.seconds, "peak_mb": measure.peak_mb}


def main() -> None:
    """Build once, measure every size, print one table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 10000])
    parser.add_argument(
        "--pywikibot-max",
        type=int,
        default=MAX_ITEMS,
        help="Skip the per-item Pywikibot way above this size (it takes minutes per 1,000).",
    )
    parser.add_argument("--keep", action="store_true", help="Leave the scratch wikis running.")
    args = parser.parse_args()
    layout = DevWikiLayout(root=REPO / ".state" / "bench-worklist", port=8831)
    lifecycle.up(layout, echo=lambda line: print(f"  {line}", file=sys.stderr))
    rows: list[dict[str, object]] = []
    try:
        build(layout, args.sizes)
        settings = load_settings(layout.config_path)
        for size in args.sizes:
            farm = fresh_farm(settings)
            titles = category_pages(farm.hub, f"Bench {size}", 0).titles
            farm.close()
            assert len(titles) == size, (size, len(titles))
            with_flag = math.ceil(size / 500)
            without_flag = math.ceil(size / 50)

            def row(way: str, result: dict, bound: str = "", size: int = size) -> None:
                rows.append(
                    {
                        "items": size,
                        "way": way,
                        "requests": result["requests"],
                        "bound": bound,
                        "seconds": f"{result['seconds']:.2f}",
                        "peak MB": f"{result['peak_mb']:.1f}",
                    }
                )

            row("item facts, bot flag", facts_only(settings, titles, bot_flag=True), with_flag)
            row(
                "item facts, no bot flag",
                facts_only(settings, titles, bot_flag=False),
                without_flag,
            )
            restore(settings, "metawiki", f"Bench worklist {size}", worklist_text("metawiki", size))
            restore(settings, "yowiki", f"Bench gap {size}", worklist_text("yowiki", size, True))
            first = refresh(settings, "metawiki", f"Bench worklist {size}")
            fixed = f"{with_flag} + {math.ceil(size / 5000)} + fixed"
            row(f"refresh ({first['outcome']}; {first['detail']})", first, fixed)
            again = refresh(settings, "metawiki", f"Bench worklist {size}")
            row(f"refresh again ({again['outcome']})", again, fixed)
            gap = refresh(settings, "yowiki", f"Bench gap {size}")
            row(f"gap refresh ({gap['items']} missing; {gap['detail']})", gap)
            if size <= args.pywikibot_max:
                row("Pywikibot exists()+text per item", pywikibot_per_item(settings, titles), "")
            print(table(rows[-6:], list(rows[-1])), file=sys.stderr)
        print(table(rows, list(rows[0])))
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"process peak RSS: {rss:.0f} MB")
    finally:
        if not args.keep:
            stop_wikis(layout)


if __name__ == "__main__":
    main()
