"""Benchmark: references added by 3,000 article revisions, texts read in batches.

Run by hand (it builds its own scratch wikis, ports 8901/8902, under
``.state/bench-references``, and leaves them running for a second run; stop
them with ``--down``)::

    .venv/bin/python benchmarks/references_benchmark.py [--articles 1000]

Fixtures: ``--participants`` accounts (100) create ``--articles`` articles (1,000)
of about 3 KB and edit each twice, in one PHP process
(``campaignkit/devwiki/php/bulk_history.php``): 3,000 revisions. Each article
gains 2 references when created, 3 more in its second revision, and in its third
one ``<ref>`` gives way to an ``{{sfn}}`` (0 added): 5,000 references in all.

It prints, for the bot (500 revision ids per request with ``apihighlimits``) and
at 50 per request (an account without high limits), the requests and seconds
that :class:`bot.metrics.references.RevisionTexts` spends reading every text that
counting needs, against the bound ``ceil(texts / ids per request)`` (more only
when MediaWiki cuts an answer over its 8 MB limit short); then a second count,
which reads nothing because each revision's figure is remembered; and, on a
sample, the straightforward way: one request per revision.
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
from bot.metrics.references import (  # noqa: E402
    ReferenceCounter,
    RevisionTexts,
    references_added,
    texts_needed,
)
from campaignkit.config import load_settings  # noqa: E402
from campaignkit.devwiki import lifecycle  # noqa: E402
from campaignkit.devwiki.layout import MEDIAWIKI_ROOT, DevWikiLayout  # noqa: E402
from campaignkit.manifest import ReferenceRules  # noqa: E402

BENCH_DIR = REPO / ".state" / "bench-references"
BENCH_PORT = 8901
WIKI = "yowiki"
BULK_SCRIPT = REPO / "campaignkit" / "devwiki" / "php" / "bulk_history.php"
FILLER = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 50  # ~2.9 KB


def article_texts(i: int) -> list[str]:
    """The three revisions of article ``i``: +2, +3, then one <ref> becomes an {{sfn}}."""
    one = f'Article {i}. {FILLER}<ref>Source {i}a</ref> More.<ref name="b{i}">Source {i}b</ref>'
    two = one + f' C.<ref>{i}c</ref> D.<ref>{i}d</ref> E.<ref name="b{i}" /> F.<ref>{i}f</ref>'
    three = two.replace(f"<ref>Source {i}a</ref>", "{{sfn|Author|2020|p=" + str(i) + "}}")
    return [one, two, three]


def make_fixtures(layout: DevWikiLayout, participants: int, articles: int) -> list[str]:
    """Accounts ``Refs 000``.. and their articles' three revisions each."""
    names = [f"Refs {i:03d}" for i in range(participants)]
    wiki = layout.wiki(WIKI)
    marker = wiki.directory / f"bench-references-{participants}-{articles}.done"
    if marker.is_file():
        print(f"fixtures already in place ({marker.name})")
        return names
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False, encoding="utf-8") as tsv:
        for name in names:
            tsv.write(f"account\t{name}\n")
        for revision in range(3):
            for i in range(articles):
                text = article_texts(i)[revision].replace("\n", "\\n")
                tsv.write(f"edit\t{names[i % participants]}\tReferences article {i:05d}\t{text}\n")
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


def main() -> None:
    """Build (once) and measure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=100)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--sample", type=int, default=300, help="Revisions read one by one.")
    parser.add_argument("--down", action="store_true", help="Stop the scratch wikis and exit.")
    options = parser.parse_args()
    layout = DevWikiLayout(root=BENCH_DIR, port=BENCH_PORT)
    if options.down:
        lifecycle.down(layout)
        return
    lifecycle.up(layout, echo=print)
    names = make_fixtures(layout, options.participants, options.articles)

    from campaignkit.wiki.connection import WikiFarm

    farm = WikiFarm(load_settings(layout.config_path))
    connection = farm[WIKI]
    connection.login()
    connection.rights()  # looked up once per run; not a cost of reading texts
    now = datetime.now(UTC)
    window = EventWindow(WIKI, now - timedelta(days=30), now)
    contributions = ApiSource(farm).contributions(WIKI, names, window.start, window.end)
    revisions = [c for c in contributions if c.in_main_namespace]
    needed = texts_needed(revisions)
    rules = ReferenceRules()
    print(f"{len(revisions)} article revisions by {len(names)} participants; {len(needed)} texts")
    for label, per_request in (("bot (apihighlimits)", None), ("50 ids per request", 50)):
        reader = RevisionTexts(connection, per_request)
        before = farm.request_counts()[WIKI]
        started = time.monotonic()
        texts = reader.read(needed)
        seconds = time.monotonic() - started
        requests = farm.request_counts()[WIKI] - before
        ids = per_request or (500 if "apihighlimits" in connection.rights() else 50)
        added = references_added(revisions, texts, rules)
        figures = event_figures(
            [Participant(n) for n in names], window, contributions, references=added
        ).figures
        print(
            f"{label}: {requests} requests ({reader.requests} revision reads) in {seconds:.2f} s "
            f"for {len(texts)} texts "
            f"(bound ceil({len(needed)}/{ids}) = {math.ceil(len(needed) / ids)}); "
            f"references added: {figures.references_added}"
        )
    database = BENCH_DIR / "references.sqlite"
    database.unlink(missing_ok=True)
    for label in ("first count, nothing remembered", "second count, all remembered"):
        counter = ReferenceCounter(f"sqlite:///{database}")
        before = farm.request_counts()[WIKI]
        started = time.monotonic()
        total = sum(counter.added(connection, revisions, rules).values())
        print(
            f"{label}: {farm.request_counts()[WIKI] - before} requests in "
            f"{time.monotonic() - started:.2f} s, {counter.texts_read} texts read; "
            f"references added: {total}"
        )
    sample = needed[: options.sample]
    before = farm.request_counts()[WIKI]
    started = time.monotonic()
    for revid in sample:
        RevisionTexts(connection).read([revid])
    seconds = time.monotonic() - started
    requests = farm.request_counts()[WIKI] - before
    print(
        f"one request per revision (sample of {len(sample)}): {requests} requests in "
        f"{seconds:.2f} s, about {seconds / max(len(sample), 1) * len(needed):.0f} s "
        f"for all {len(needed)}"
    )
    farm.close()


if __name__ == "__main__":
    main()
