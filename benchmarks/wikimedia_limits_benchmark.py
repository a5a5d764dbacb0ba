"""Wikimedia limits: a campaign of 500 events and 20,000 participants at one edit per 10 s.

Run by hand (its own scratch wikis, ports 8951/8952, under
``.state/bench-limits-devwiki``). On the 2-core machine at a load of 1 it took 24
minutes with ``--reuse-fixture`` (wikis built by an earlier run, the same day) and 7
more to build them: two first syncs of 505 saves, each save about 1.2 s of the local
wiki's time. Every command it runs is stopped after 20 minutes::

    .venv/bin/python benchmarks/wikimedia_limits_benchmark.py [--events 500]
        [--participants 20000] [--reuse-fixture] [--keep]

The fixture is sync_benchmark.py's (accounts as table rows, half the sign-ups by
template, half by signature, 40 a page, event pages split over the two wikis,
imported with ``importTextFiles.php``, one revision each), except that the events
have dates around today: a tenth ongoing, a fifth ended, the rest upcoming, in an
order that is not their titles' order. It is copied aside once built and put back
before each scenario, with the bot's state removed: each scenario starts with a
first sync.

Both wikis are reached through a :class:`ConditionsProxy` that answers
``ratelimited`` to an account's second edit within 10 wiki seconds; the bot's
``write_throttle`` is the same 10 s, so it paces itself. The clock is scaled:
``time_scale`` 0.01, one wiki second lasts 10 ms, so 10 s between edits is 0.1 s
and "15 minutes" (900 wiki seconds) is ``--max-seconds 9``. Only the waits are
scaled: start-up, login, listing, batched reads, checking names and the wiki's
own work on each save take real time, which at 0.01 counts a hundred times over.
The 15 minutes are therefore also run at ``time_scale`` 0.1 (1 s between edits,
``--max-seconds 90``), where that real time weighs ten times less.

Every run is ``campaignkit --config <proxied config> sync [...] --json`` in a
subprocess, as an operator runs it; figures come from its JSON summary and from
the proxies' counters and ordered ``edit_log``. Scenarios:

1. **first sync** to the end: API requests per edit, per wiki, against the
   bound: one request per save plus the reads a first sync needs (see
   :func:`first_sync_bound`), and the order of all its saves;
2. **no change**: the same command again: requests per wiki against
   ceil(listed pages / 500) + 1, and seconds;
3. **15 minutes** (on a fresh copy): pages saved within the budget at both
   scales, and their order (the campaign table and its data pages, the
   movement-wide calendar's data page and page, then event pages: ongoing,
   upcoming soonest, ended);
4. **kill and resume**: a run started after that is killed with SIGKILL after
   100 saves (meanwhile a second run must exit 0 saying one is in progress),
   then one more run goes to the end: saves per page over all these runs (at
   most 1) and total saves against the pages that needed one; then a no-change
   run.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.scratch_wikis import (  # noqa: E402
    create_accounts,
    fresh_wikis,
    import_pages,
    stop_wikis,
    table,
)
from benchmarks.sync_benchmark import CAMPAIGN, event_text  # noqa: E402
from bot.run.writer import WRITE_BATCH  # noqa: E402
from campaignkit.codecs.calendar_data import data_title as calendar_data_title  # noqa: E402
from campaignkit.codecs.campaign_data import data_titles  # noqa: E402
from campaignkit.config import load_settings  # noqa: E402
from campaignkit.devwiki import lifecycle  # noqa: E402
from campaignkit.devwiki.conditions_proxy import ConditionsProxy, write_proxied_config  # noqa: E402
from campaignkit.devwiki.layout import DevWikiLayout  # noqa: E402

NAME = "bench-limits-devwiki"
PORT = 8951
TIME_SCALE = 0.01  # real seconds per wiki second
SLOWER_SCALE = 0.1  # the 15 minutes once more, with ten times less weight on real time
EDIT_INTERVAL = 10.0  # wiki seconds between two edits of one account (Wikimedia's pace)
BUDGET = 900.0  # wiki seconds: one scheduled run every 15 minutes
PER_REQUEST = 500  # titles, revisions or names per request with the bot's high limits
TIMEZONE = ZoneInfo("Africa/Lagos")
RUN_TIMEOUT = 1200.0  # real seconds any one command may take before the benchmark stops it
KILL_AFTER = 100  # saves the run to be killed makes before SIGKILL (fewer when less is left)

Log = list[tuple[float, str, str]]  # (time.monotonic(), wiki id, title) of each save, in order


# --- the fixture ------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """One event page of the fixture and when its event takes place."""

    wiki: str
    title: str
    kind: str  # "ongoing", "ended", "upcoming" when the fixture was built
    start: datetime  # UTC
    end: datetime


@dataclass
class Fixture:
    """What was built: the events, and per wiki the contract pages listed and sign-ups."""

    events: list[Event] = field(default_factory=list)
    listed: Counter[str] = field(default_factory=Counter)
    signups: Counter[str] = field(default_factory=Counter)
    # the hub's pages saved before any event page, in the run's order: the campaign
    # page, its data pages, then the movement-wide calendar's data page and page
    hub_pages: list[tuple[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """For the file beside the built copy (``--reuse-fixture``)."""
        return {
            "events": [
                [e.wiki, e.title, e.kind, e.start.isoformat(), e.end.isoformat()]
                for e in self.events
            ],
            "listed": dict(self.listed),
            "signups": dict(self.signups),
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Fixture:
        """Read back what :meth:`to_dict` wrote."""
        events = [
            Event(w, t, k, datetime.fromisoformat(s), datetime.fromisoformat(e))
            for w, t, k, s, e in raw["events"]
        ]
        return cls(events, Counter(raw["listed"]), Counter(raw["signups"]))

    @property
    def pages_to_edit(self) -> int:
        """Every event page and the hub's pages."""
        return len(self.events) + len(self.hub_pages)

    def expected_order(self, now: datetime) -> list[tuple[str, str]]:
        """Every page as a first sync should save it."""
        return self.hub_pages + expected_event_order(self, now)


def event_times(number: int, today: date) -> tuple[str, datetime, datetime]:
    """Dates around today, distinct for every event, not in the order of the titles.

    Local times are 08:00 plus ``number`` minutes, so no two events start or end
    at the same moment; whole days keep each kind what it is for a day.
    """

    def at(day_offset: int, minutes: int) -> datetime:
        day = today + timedelta(days=day_offset)
        local = datetime(day.year, day.month, day.day, 8, tzinfo=TIMEZONE)
        return local + timedelta(minutes=minutes)

    spread = 1 + (number * 37) % 90
    if number % 10 == 0:
        kind, start, end = (
            "ongoing",
            at(-(1 + number % 5), number),
            at(1 + (number * 13) % 20, number),
        )
    elif number % 10 in (1, 2):
        kind, start = "ended", at(-spread, number)
        end = start + timedelta(hours=6)
    else:
        kind, start = "upcoming", at(spread, number)
        end = start + timedelta(hours=6)
    return kind, start, end


def dated_event_text(
    number: int, wiki_id: str, names: list[str], start: datetime, end: datetime
) -> str:
    """sync_benchmark's event page, with this event's own dates."""
    text = event_text(number, wiki_id, names)
    day = 1 + number % 28
    fixed = f"|start=2027-04-{day:02d} 10:00|end=2027-04-{day:02d} 16:00|"
    assert fixed in text, "sync_benchmark.event_text changed its dates; update this benchmark"
    return text.replace(fixed, f"|start={start:%Y-%m-%d %H:%M}|end={end:%Y-%m-%d %H:%M}|")


def build(layout: DevWikiLayout, events: int, participants: int) -> Fixture:
    """Accounts on both wikis, the campaign page, dated event pages split over the wikis."""
    names = [f"Bench user {n:05d}" for n in range(participants)]
    now = datetime.now(UTC)
    today = now.astimezone(TIMEZONE).date()
    for wiki in layout.wikis:
        create_accounts(wiki, names[: participants // 10], now - timedelta(days=3))
        create_accounts(wiki, names[participants // 10 :], now - timedelta(days=400))
    per_event = max(1, participants // events)
    fixture = Fixture()
    pages: dict[str, list[tuple[str, str]]] = {w.id: [] for w in layout.wikis}
    for number in range(events):
        wiki = layout.wikis[number % 2]
        chunk = names[number * per_event : (number + 1) * per_event]
        title = f"Benchmark event {number:04d}"
        kind, start, end = event_times(number, today)
        pages[wiki.id].append((title, dated_event_text(number, wiki.id, chunk, start, end)))
        fixture.events.append(
            Event(wiki.id, title, kind, start.astimezone(UTC), end.astimezone(UTC))
        )
        fixture.listed[wiki.id] += 1
        fixture.signups[wiki.id] += len(chunk)
    first, last = today - timedelta(days=100), today + timedelta(days=100)
    campaign = (
        f"{{{{Campaign|name=Benchmark|start={first}|end={last}}}}}\n"
        "The benchmark campaign.\n\n{{Campaign bot region|events}}\n"
    )
    import_pages(layout.hub, [(CAMPAIGN, campaign)])
    fixture.listed[layout.hub.id] += 1
    for wiki in layout.wikis:
        import_pages(wiki, pages[wiki.id])
    return fixture


def built_dir(layout: DevWikiLayout) -> Path:
    """Where the built wikis are copied aside."""
    return layout.root / "built"


def state_dir(layout: DevWikiLayout) -> Path:
    """The bot's state (``services.state_dir`` of the layout's configuration)."""
    return layout.root / "state"


def put_aside(layout: DevWikiLayout, fixture: Fixture, parameters: dict[str, int]) -> None:
    """Copy the built wikis aside (servers stopped), then start them again."""
    lifecycle.down(layout, echo=lambda _line: None)
    shutil.rmtree(built_dir(layout), ignore_errors=True)
    shutil.copytree(layout.wikis_dir, built_dir(layout) / "wikis")
    (built_dir(layout) / "fixture.json").write_text(
        json.dumps({"parameters": parameters, **fixture.to_dict()}), encoding="utf-8"
    )
    lifecycle.up(layout, echo=lambda _line: None)


def put_back(layout: DevWikiLayout) -> None:
    """The wikis as built, and no bot state: the next sync is a first sync."""
    lifecycle.down(layout, echo=lambda _line: None)
    shutil.rmtree(layout.wikis_dir)
    shutil.copytree(built_dir(layout) / "wikis", layout.wikis_dir)
    shutil.rmtree(state_dir(layout), ignore_errors=True)
    lifecycle.up(layout, echo=lambda _line: None)


def reusable(layout: DevWikiLayout, parameters: dict[str, int]) -> Fixture | None:
    """The fixture copied aside by an earlier run with the same parameters, if any."""
    path = built_dir(layout) / "fixture.json"
    if not path.is_file() or not (built_dir(layout) / "wikis").is_dir():
        return None
    raw = json.loads(path.read_text(encoding="utf-8"))
    if raw.get("parameters") != parameters:
        return None
    fixture = Fixture.from_dict(raw)
    now = datetime.now(UTC)
    if any(e.kind != kind_at(e, now) for e in fixture.events):
        return None  # built days ago: its events are no longer what they were
    return fixture


def hub_pages(layout: DevWikiLayout) -> list[tuple[str, str]]:
    """The campaign page, its JSON and GeoJSON pages, the calendar's data page and page."""
    hub = layout.hub.id
    pages = [(hub, CAMPAIGN), *((hub, title) for title in data_titles(CAMPAIGN))]
    calendar = load_settings(layout.config_path).calendar_page
    if calendar:  # after the campaign tables, before the event pages (Priority.CALENDAR)
        pages += [(hub, calendar_data_title(calendar)), (hub, calendar)]
    return pages


def kind_at(event: Event, now: datetime) -> str:
    """Ongoing, upcoming or ended at ``now``."""
    if event.start <= now <= event.end:
        return "ongoing"
    return "upcoming" if now < event.start else "ended"


def expected_event_order(fixture: Fixture, now: datetime) -> list[tuple[str, str]]:
    """Event pages in the order they should be done.

    Ongoing (soonest to end), upcoming (soonest to start), ended (latest ended
    first); events at the same moment by wiki and title.
    """

    def key(event: Event) -> tuple[Any, ...]:
        kind = kind_at(event, now)
        if kind == "ongoing":
            order: tuple[int, float] = (0, event.end.timestamp())
        elif kind == "upcoming":
            order = (1, event.start.timestamp())
        else:
            order = (2, -event.end.timestamp())
        return (order, event.wiki, event.title)

    return [(e.wiki, e.title) for e in sorted(fixture.events, key=key)]


# --- runs through the proxies -----------------------------------------------------------


@dataclass
class Run:
    """One ``campaignkit sync`` as an operator runs it."""

    arguments: tuple[str, ...]
    returncode: int
    started: float  # time.monotonic() at launch: the proxies' clock
    wall: float
    cpu: float  # user + system seconds of the command's process
    stdout: str
    stderr: str

    @property
    def summary(self) -> dict[str, Any]:
        """The ``--json`` summary (empty when the run printed none)."""
        try:
            return json.loads(self.stdout)
        except ValueError:
            return {}


def command(config: Path, *arguments: str) -> list[str]:
    """The ``campaignkit`` command of this virtual environment, on this configuration."""
    script = Path(sys.executable).parent / "campaignkit"
    head = [str(script)] if script.exists() else [sys.executable, "-m", "campaignkit"]
    return [*head, "--config", str(config), *arguments]


def environment() -> dict[str, str]:
    """The code measured is the code beside this script (a checkout or an exported tree)."""
    paths = [str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}


def children_cpu() -> float:
    """CPU seconds of the child processes waited for so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def sync(config: Path, *arguments: str, timeout: float = RUN_TIMEOUT) -> Run:
    """Run ``campaignkit sync`` to its end (killed past ``timeout``)."""
    cpu = children_cpu()
    started = time.monotonic()
    done = subprocess.run(
        command(config, "sync", *arguments),
        capture_output=True,
        text=True,
        cwd=REPO,
        env=environment(),
        timeout=timeout,
        check=False,
    )
    wall = time.monotonic() - started
    return Run(
        arguments,
        done.returncode,
        started,
        wall,
        children_cpu() - cpu,
        done.stdout,
        done.stderr,
    )


class Proxies:
    """A conditions proxy in front of each wiki, and what they saw.

    The same proxies serve every scenario, so the wikis' URLs in the configuration
    (which the calendar page links to) never change; a run at another time scale
    sets the proxies' ``time_scale`` for its length and uses a configuration whose
    ``write_throttle`` is the interval on that scale.
    """

    def __init__(self, layout: DevWikiLayout) -> None:
        self.layout = layout
        self.time_scale = TIME_SCALE
        self.proxies = {
            wiki.id: ConditionsProxy(wiki.api_url, name=wiki.id, time_scale=TIME_SCALE, seed=1)
            for wiki in layout.wikis
        }

    def config_for(self, time_scale: float) -> Path:
        """The proxied configuration with the write throttle of this time scale."""
        return self.layout.root / f"limits-{time_scale:g}.toml"

    @property
    def config(self) -> Path:
        """The configuration of the current time scale."""
        return self.config_for(self.time_scale)

    @property
    def max_seconds(self) -> float:
        """The 15 minutes on the current scale, in real seconds."""
        return BUDGET * self.time_scale

    @contextmanager
    def running(self) -> Iterator[Proxies]:
        """Started, with Wikimedia's edit rate limit and a configuration per time scale."""
        for proxy in self.proxies.values():
            proxy.start()
            proxy.limit_rate(EDIT_INTERVAL)
        try:
            for time_scale in (TIME_SCALE, SLOWER_SCALE):
                write_proxied_config(
                    self.layout.config_path,
                    self.config_for(time_scale),
                    self.proxies,
                    bot={"write_throttle": EDIT_INTERVAL * time_scale},
                )
            yield self
        finally:
            for proxy in self.proxies.values():
                proxy.stop()

    @contextmanager
    def scaled(self, time_scale: float) -> Iterator[Proxies]:
        """Another time scale for the block (the proxies read it on every request)."""
        self.time_scale = time_scale
        for proxy in self.proxies.values():
            proxy.time_scale = time_scale
        try:
            yield self
        finally:
            self.time_scale = TIME_SCALE
            for proxy in self.proxies.values():
                proxy.time_scale = TIME_SCALE

    def reset(self) -> None:
        """Counters at zero (the rate limit stays)."""
        for proxy in self.proxies.values():
            proxy.reset_counts()

    def snapshot(self) -> dict[str, Any]:
        """Each proxy's counts, by wiki id."""
        return {wiki_id: proxy.counts() for wiki_id, proxy in self.proxies.items()}

    def edit_log(self) -> Log:
        """Every save on either wiki since the last reset, in order."""
        entries = [
            (at, wiki_id, title)
            for wiki_id, proxy in self.proxies.items()
            for at, _account, title in proxy.counts().edit_log
        ]
        return sorted(entries)

    def edits(self) -> int:
        """Saves on either wiki since the last reset."""
        return sum(sum(p.counts().edits_by_title.values()) for p in self.proxies.values())


# --- the figures -------------------------------------------------------------------------


def ceil_div(count: int, size: int) -> int:
    """Requests for ``count`` items at ``size`` a request."""
    return math.ceil(count / size) if count else 0


def no_change_bound(fixture: Fixture, wiki_id: str) -> int:
    """The listing, and the new process's one look at the wiki."""
    return ceil_div(fixture.listed[wiki_id], PER_REQUEST) + 1


def first_sync_bound(fixture: Fixture, wiki_id: str, edits: int, read: int) -> int:
    """One request per save plus the reads a first sync cannot do without, per wiki.

    Saves: one request each. The event pages are read in batches, and so are the
    campaign pages (a batch of their own); having one revision, an event page
    needs no history to date its sign-ups (long histories are
    signup_dating_benchmark.py's). The other hub pages (data pages, calendar)
    are read one by one before their save. Batched: pages read at 500 a
    request, sign-ups checked at 500 names a request, the stop page before
    every WRITE_BATCH saves, and what a no-change run costs (the listing and
    one look).
    """
    on_wiki = [title for wiki, title in fixture.hub_pages if wiki == wiki_id]
    campaigns = 1 if on_wiki else 0  # the hub's first page is the campaign page
    read_alone = len(on_wiki) - campaigns
    return (
        edits
        + read_alone
        + ceil_div(read - campaigns, PER_REQUEST)
        + ceil_div(campaigns, PER_REQUEST)
        + ceil_div(fixture.signups[wiki_id], PER_REQUEST)
        + ceil_div(edits, WRITE_BATCH)
        + no_change_bound(fixture, wiki_id)
    )


def against(value: int, bound: int) -> str:
    """Yes when within the bound, else by how much it is over."""
    return "yes" if value <= bound else f"NO (+{value - bound})"


def intervals(log: Log) -> list[float]:
    """Real seconds between consecutive saves on the same wiki (one account: the bot)."""
    last: dict[str, float] = {}
    found = []
    for at, wiki_id, _title in log:
        if wiki_id in last:
            found.append(at - last[wiki_id])
        last[wiki_id] = at
    return found


def median(values: list[float]) -> float:
    """The middle value (0 for none)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def pace(log: Log, run: Run, time_scale: float) -> str:
    """When the first save came after the command started, and the saves' pace."""
    if not log:
        return f"no save in {run.wall:.1f} s (wall, from the command's start)"
    span = log[-1][0] - log[0][0]
    each = span / (len(log) - 1) if len(log) > 1 else 0.0
    gaps = intervals(log)
    return (
        f"first save {log[0][0] - run.started:.1f} s after the command started "
        f"(start-up, login, listing, batched reads, name checks: real time); then "
        f"{len(log)} saves in {span:.1f} s, {each:.2f} s each ({each / time_scale:.0f} wiki s), "
        f"median {median(gaps):.2f} s between two saves on one wiki (the limit: "
        f"{EDIT_INTERVAL * time_scale:g} s); "
        f"the command used {run.cpu:.0f} CPU s in {run.wall:.0f} s"
    )


@dataclass
class OrderCheck:
    """Whether the saves came in the order that matters to people."""

    saved: int
    hub_first: int  # how many of the hub's pages led, in their order
    hub_pages: int
    events_done: int
    events_in_order: int  # event pages saved where the expected sequence has them
    first_mismatch: str = ""

    @property
    def campaign_first(self) -> bool:
        """The saves began with the hub's pages, as many as were saved."""
        return self.hub_first == min(self.hub_pages, self.saved)

    def line(self) -> str:
        """One printed line."""
        if not self.saved:
            return "nothing saved"
        text = (
            f"the first {self.hub_first} of {self.hub_pages} hub pages (campaign table, its data "
            f"pages, the calendar's data page and page) came first, in order; then "
            f"{self.events_done} event pages, {self.events_in_order} of them exactly where the "
            "expected order has them"
        )
        return text + (
            f" (first out of place: {self.first_mismatch})" if self.first_mismatch else ""
        )


def check_order(log: Log, fixture: Fixture, now: datetime) -> OrderCheck:
    """The saves against the expected sequence: hub pages, then events by date."""
    saved = [(wiki_id, title) for _, wiki_id, title in log]
    expected = fixture.expected_order(now)
    hub = set(fixture.hub_pages)
    hub_first = 0
    while hub_first < min(len(saved), len(expected)) and saved[hub_first] == expected[hub_first]:
        if saved[hub_first] not in hub:
            break
        hub_first += 1
    in_order = 0
    mismatch = ""
    for index, page in enumerate(saved):
        wanted = expected[index] if index < len(expected) else ("", "(nothing)")
        if page == wanted:
            in_order += page not in hub
        elif not mismatch:
            mismatch = (
                f"save #{index + 1} was {page[0]}:{page[1]}, expected {wanted[0]}:{wanted[1]}"
            )
    events = sum(1 for page in saved if page not in hub)
    return OrderCheck(len(saved), hub_first, len(hub), events, in_order, mismatch)


def requests_seen(counts: Any) -> int:
    """Every api.php request a proxy received (refused ones included)."""
    return sum(v for k, v in counts.requests.items() if not k.startswith("/"))


def show(run: Run, label: str) -> None:
    """Say on stderr how a run ended (and what it printed when it failed)."""
    summary = run.summary
    print(
        f"  {label}: exit {run.returncode}, {run.wall:.1f} s, edited {summary.get('edited')}, "
        f"requests {summary.get('requests')}, errors {len(summary.get('errors', []))}",
        file=sys.stderr,
    )
    if run.returncode != 0 or not summary:
        print((run.stdout + run.stderr)[-3000:], file=sys.stderr)


def errors_note(label: str, summary: dict[str, Any]) -> list[str]:
    """The first errors of a run, if it had any."""
    errors = summary.get("errors", [])
    return [f"{label}: {len(errors)} error(s), first: {errors[:3]}"] if errors else []


# --- the scenarios -----------------------------------------------------------------------


@dataclass
class Results:
    """The printed tables and notes."""

    first: list[dict[str, object]] = field(default_factory=list)
    quiet: list[dict[str, object]] = field(default_factory=list)
    budget: list[dict[str, object]] = field(default_factory=list)
    kill: list[dict[str, object]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def first_sync_and_no_change(
    layout: DevWikiLayout, fixture: Fixture, proxies: Proxies, results: Results
) -> None:
    """Scenarios 1 and 2: a first sync to the end, then the same command with nothing changed."""
    put_back(layout)
    proxies.reset()
    now = datetime.now(UTC)
    first = sync(proxies.config, "--json")
    show(first, "first sync")
    counts = proxies.snapshot()
    log = proxies.edit_log()
    per_wiki = Counter(wiki_id for _, wiki_id, _ in log)
    summary = first.summary
    for wiki in layout.wikis:
        edits = per_wiki[wiki.id]
        requests = summary.get("requests", {}).get(wiki.id, 0)
        read = summary.get("pages_read", {}).get(wiki.id, 0)
        bound = first_sync_bound(fixture, wiki.id, edits, read)
        results.first.append(
            {
                "wiki": wiki.id,
                "edits": edits,
                "API requests": requests,
                "requests/edit": f"{requests / edits:.2f}" if edits else "-",
                "bound": bound,
                "bound/edit": f"{bound / edits:.2f}" if edits else "-",
                "within": against(requests, bound),
                "proxy saw": requests_seen(counts[wiki.id]),
                "ratelimited": counts[wiki.id].faults.get("ratelimited", 0),
                "edit requests": counts[wiki.id].requests.get("edit", 0),
            }
        )
    saves = Counter((w, t) for _, w, t in log)
    results.notes += [
        f"first sync: exit {first.returncode}, {summary.get('edited')} edited, "
        f"{sum(saves.values())} saves seen by the proxies on {len(saves)} pages "
        f"({fixture.pages_to_edit} needed one), {summary.get('seconds')} s in the run, "
        f"{first.wall:.1f} s wall",
        f"first sync order: {check_order(log, fixture, now).line()}",
        f"first sync: {pace(log, first, proxies.time_scale)}",
        *errors_note("first sync", summary),
    ]
    twice = sorted(f"{w}:{t} ({n})" for (w, t), n in saves.items() if n > 1)
    if twice:
        results.notes.append(f"first sync: pages saved more than once: {twice[:10]}")
    proxies.reset()
    quiet = sync(proxies.config, "--json")
    show(quiet, "no change")
    results.quiet += no_change_rows(layout, fixture, quiet, proxies, "after the first sync")


def no_change_rows(
    layout: DevWikiLayout, fixture: Fixture, run: Run, proxies: Proxies, label: str
) -> list[dict[str, object]]:
    """A no-change run's requests per wiki against its bound."""
    summary = run.summary
    counts = proxies.snapshot()
    rows: list[dict[str, object]] = []
    for wiki in layout.wikis:
        requests = summary.get("requests", {}).get(wiki.id, 0)
        bound = no_change_bound(fixture, wiki.id)
        rows.append(
            {
                "run": label,
                "wiki": wiki.id,
                "listed": fixture.listed[wiki.id],
                "API requests": requests,
                "bound": bound,
                "within": against(requests, bound),
                "proxy saw": requests_seen(counts[wiki.id]),
                "edits": sum(counts[wiki.id].edits_by_title.values()),
                "pages read": summary.get("pages_read", {}).get(wiki.id, 0),
                "run s": summary.get("seconds", "-"),
                "wall s": f"{run.wall:.1f}",
                "exit": run.returncode,
            }
        )
    return rows


def fifteen_minutes(
    layout: DevWikiLayout, fixture: Fixture, proxies: Proxies, results: Results
) -> Log:
    """Scenario 3 on a fresh copy: a budgeted run per time scale, one after the other."""
    put_back(layout)
    log: Log = []
    for time_scale in (TIME_SCALE, SLOWER_SCALE):
        proxies.reset()
        now = datetime.now(UTC)
        with proxies.scaled(time_scale):
            max_seconds = f"{proxies.max_seconds:g}"
            run = sync(proxies.config, "--max-seconds", max_seconds, "--json")
        label = f"15 minutes at {time_scale:g}"
        show(run, label)
        saved = proxies.edit_log()
        log += saved
        order = check_order(log, fixture, now)
        done = {(w, t) for _, w, t in saved}
        kinds = Counter(kind_at(e, now) for e in fixture.events if (e.wiki, e.title) in done)
        summary = run.summary
        refused = sum(c.faults.get("ratelimited", 0) for c in proxies.snapshot().values())
        results.budget.append(
            {
                "time_scale": f"{time_scale:g}",
                "command": f"sync --max-seconds {max_seconds}",
                "first save at": f"{saved[0][0] - run.started:.1f} s" if saved else "-",
                "pages saved": len(saved),
                "ratelimited": refused,
                "ongoing/upcoming/ended": (
                    f"{kinds['ongoing']}/{kinds['upcoming']}/{kinds['ended']}"
                ),
                "order of all saves so far": (
                    (
                        f"hub pages first: {'yes' if order.campaign_first else 'NO'}; "
                        f"{order.events_in_order}/{order.events_done} events in place"
                    )
                    if log
                    else "-"
                ),
                "run s": summary.get("seconds", "-"),
                "wall s": f"{run.wall:.1f}",
                "exit": run.returncode,
            }
        )
        results.notes += [
            f"{label}: {pace(saved, run, time_scale)}",
            f"{label}, order of all saves so far: {order.line()}",
            *(f"{label}: {w}" for w in summary.get("warnings", []) if "budget" in w),
            *errors_note(label, summary),
        ]
    return log


def kill_and_resume(
    layout: DevWikiLayout, fixture: Fixture, proxies: Proxies, earlier: Log, results: Results
) -> None:
    """Scenario 4: a run killed with SIGKILL after some saves, then a run to the end."""
    proxies.reset()
    remaining = fixture.pages_to_edit - len(earlier)
    if remaining < 2:
        results.notes.append("kill and resume: the 15 minutes left nothing to kill")
        return
    kill_after = min(KILL_AFTER, remaining // 2)
    victim = subprocess.Popen(
        command(proxies.config, "sync", "--json"),
        cwd=REPO,
        env=environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    second: Run | None = None
    try:
        deadline = time.monotonic() + RUN_TIMEOUT
        while proxies.edits() < 1 and victim.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        # It holds the lease now: a second scheduled run must leave the work to it.
        second = sync(proxies.config, "--json", timeout=120)
        while (
            proxies.edits() < kill_after and victim.poll() is None and time.monotonic() < deadline
        ):
            time.sleep(0.005)
    finally:
        if victim.poll() is None:
            os.kill(victim.pid, signal.SIGKILL)
        victim.wait()
    killed_at = proxies.edits()
    results.notes.append(
        f"killed run: SIGKILL after {killed_at} saves (asked for {kill_after}), "
        f"exit {victim.returncode}"
    )
    if second is not None:
        lines = second.stdout.strip().splitlines()
        results.notes.append(
            f"a second run while it ran: exit {second.returncode}, {len(lines)} line(s): "
            f"{lines[0] if lines else '(nothing)'!r}"
        )
    resumed = sync(proxies.config, "--json")
    show(resumed, "resume")
    log = proxies.edit_log()
    per_page = Counter((w, t) for _, w, t in earlier + log)
    needed = {(e.wiki, e.title) for e in fixture.events} | set(fixture.hub_pages)
    missing = needed - set(per_page)
    summary = resumed.summary
    refused = sum(c.faults.get("ratelimited", 0) for c in proxies.snapshot().values())
    results.kill.append(
        {
            "saves in the 15 minutes": len(earlier),
            "saves before SIGKILL": killed_at,
            "resume saved": summary.get("edited"),
            "resume unchanged": summary.get("outcomes", {}).get("unchanged", 0),
            "total saves": sum(per_page.values()),
            "pages needing one": len(needed),
            "max saves/page": max(per_page.values(), default=0),
            "pages not saved": len(missing),
            "ratelimited": refused,
            "resume run s": summary.get("seconds", "-"),
            "resume exit": resumed.returncode,
        }
    )
    twice = sorted(f"{w}:{t} ({n})" for (w, t), n in per_page.items() if n > 1)
    if twice:
        results.notes.append(f"kill and resume: pages saved more than once: {twice[:10]}")
    if missing:
        results.notes.append(f"kill and resume: pages never saved: {sorted(missing)[:10]}")
    results.notes += [
        f"resume: {pace(log[killed_at:], resumed, proxies.time_scale)}",
        *errors_note("resume", summary),
    ]
    proxies.reset()
    quiet = sync(proxies.config, "--json")
    show(quiet, "no change after the resume")
    results.quiet += no_change_rows(layout, fixture, quiet, proxies, "after the resume")


def working_tree() -> str:
    """The commit measured, and whether the tree had uncommitted changes to the bot."""
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO
    ).stdout.strip()
    if not head or not (REPO / ".git").exists():
        return f"{REPO} (not a git checkout)"
    dirty = subprocess.run(
        ["git", "status", "--short", "--", "bot", "campaignkit", "templates_wikitext"],
        capture_output=True,
        text=True,
        cwd=REPO,
    ).stdout.split("\n")
    changed = [line[3:] for line in dirty if line.strip()]
    return head + (f" with uncommitted changes to {', '.join(changed)}" if changed else "")


def report(fixture: Fixture, results: Results, seconds: float) -> None:
    """Print the tables and notes."""
    kinds = Counter(e.kind for e in fixture.events)
    print(
        f"campaign: {len(fixture.events)} events ({kinds['ongoing']} ongoing, "
        f"{kinds['upcoming']} upcoming, {kinds['ended']} ended), "
        f"{sum(fixture.signups.values())} sign-ups, 2 wikis; measured at {working_tree()}"
    )
    print(
        f"conditions: one edit per {EDIT_INTERVAL:.0f} wiki s per account (the proxy answers "
        f"ratelimited), write_throttle the same; time_scale {TIME_SCALE:g} "
        f"(1 wiki s = {TIME_SCALE * 1000:g} ms real) unless said otherwise"
    )
    print("\n1. first sync: API requests per edit (requests from the run's --json summary)")
    print(table(results.first, list(results.first[0])))
    print("\n2. no-change runs (bound: ceil(listed / 500) + 1 per wiki)")
    print(table(results.quiet, list(results.quiet[0])))
    print(f"\n3. the first {BUDGET / 60:.0f} minutes ({BUDGET:.0f} wiki s), on a fresh copy")
    print(table(results.budget, list(results.budget[0])))
    if results.kill:
        print("\n4. kill and resume, after the 15 minutes")
        print(table(results.kill, list(results.kill[0])))
    print()
    for note in results.notes:
        print(f"- {note}")
    load = " ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"\nwhole benchmark: {seconds:.0f} s; load average now {load}")


def main() -> None:
    """Build (or reuse) the fixture, run the scenarios through the proxies, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--participants", type=int, default=20000)
    parser.add_argument(
        "--reuse-fixture",
        action="store_true",
        help="Reuse the wikis built by an earlier run with the same sizes (same day).",
    )
    parser.add_argument("--keep", action="store_true", help="Leave the scratch wikis running.")
    args = parser.parse_args()
    parameters = {"events": args.events, "participants": args.participants}
    started = time.monotonic()
    layout = DevWikiLayout(root=REPO / ".state" / NAME, port=PORT)
    fixture = reusable(layout, parameters) if args.reuse_fixture else None
    if fixture is None:
        layout = fresh_wikis(NAME, PORT)
        fixture = build(layout, args.events, args.participants)
        put_aside(layout, fixture, parameters)
        print(f"Built the fixture in {time.monotonic() - started:.0f} s", file=sys.stderr)
    fixture.hub_pages = hub_pages(layout)
    results = Results()
    proxies = Proxies(layout)
    try:
        with proxies.running():
            first_sync_and_no_change(layout, fixture, proxies, results)
            earlier = fifteen_minutes(layout, fixture, proxies, results)
            kill_and_resume(layout, fixture, proxies, earlier, results)
    finally:
        if not args.keep:
            stop_wikis(layout)
    report(fixture, results, time.monotonic() - started)


if __name__ == "__main__":
    main()
