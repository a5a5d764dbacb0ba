"""The movement-wide calendar with 5,000 events: data page size, parse time, MediaWiki's limits.

``.venv/bin/python benchmarks/calendar_benchmark.py [--events 5000]`` builds
scratch wikis of its own (ports 8961/8962, ``.state/bench-calendar-devwiki``),
makes a calendar of N events (120 campaigns: 20 global ones with 4 national
editions each, 20 on their own; events spread over two years around today, so
about half are upcoming; 30 countries, 12 languages, both wikis, the three
formats), and then measures:

1. building the document and the calendar page's region in Python (the bot's
   work once the rows are known), the JSON as sent and as MediaWiki stores it
   (pretty-printed) against ``$wgMaxArticleSize`` (2 MB);
2. saving the data page;
3. ``action=parse`` of pages embedding ``{{Campaign events list}}``: the
   default list, "the next 5 events in Nigeria", a topic over two years
   (limit 500, the most the template shows), one that matches nothing (every
   event is looked at), and a page with ten different embeds (the data is
   loaded once per parse). For each: wall seconds, and MediaWiki's own limit
   report (CPU time, Lua time, post-expand include size).

The machine's two cores are shared with the other wikis and tests: compare
figures within one run (FACTS.md).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.scratch_wikis import fresh_wikis, stop_wikis
from bot.calendar.job import display_names
from bot.calendar.page import PAGE_EVENTS, CalendarPage, locale_for
from campaignkit.campaign_tree import build_tree
from campaignkit.codecs import calendar_data
from campaignkit.codecs.calendar_data import CampaignInfo
from campaignkit.config import load_settings
from campaignkit.wiki.connection import WikiFarm

PORT = 8961
COUNTRIES = [
    "NG", "GH", "KE", "ZA", "EG", "MA", "SN", "CM", "UG", "TZ", "ET", "CI", "BR", "AR", "MX",
    "CO", "PE", "IN", "BD", "PK", "ID", "PH", "VN", "FR", "DE", "ES", "IT", "US", "CA", "GB",
]  # fmt: skip
LANGUAGES = ["en", "fr", "yo", "ha", "ig", "sw", "ar", "pt", "es", "hi", "bn", "id"]
TOPICS = ["Climate", "Human rights", "Gender gap", "Health", "Water", "Libraries"]
FORMATS = ["online", "in-person", "hybrid"]


def campaigns() -> dict[str, CampaignInfo]:
    """20 global campaigns with 4 national editions each, and 20 on their own."""
    found: dict[str, CampaignInfo] = {}
    for number in range(20):
        parent = f"Global campaign {number:02d}"
        found[parent] = CampaignInfo(parent, f"Global {number}", (TOPICS[number % 6],), "")
        for edition in range(4):
            country = COUNTRIES[(number + edition) % 30]
            title = f"{parent}/{country}"
            found[title] = CampaignInfo(title, f"Global {number} in {country}", (), parent)
    for number in range(20):
        title = f"Campaign {number:02d}"
        found[title] = CampaignInfo(title, title, (TOPICS[(number + 3) % 6], "Libraries"), "")
    return found


def events(count: int, titles: list[str], now: datetime) -> list[dict]:
    """Synthetic rows as the sync records them, spread over a year before and after now."""
    rng = random.Random(15)
    rows = []
    for number in range(count):
        start = now + timedelta(days=rng.uniform(-365, 365))
        start = start.replace(minute=0, second=0, microsecond=0)
        end = start + timedelta(hours=rng.choice([2, 3, 6, 30]))
        values = {
            "event": f"Calendar benchmark event {number:05d}",
            "wiki": "metawiki" if number % 2 else "yowiki",
            "name": f"Edit-a-thon {number} — Wikipedia & Wikidata",
            "start": start.strftime("%Y-%m-%d %H:%M"),
            "end": end.strftime("%Y-%m-%d %H:%M"),
            "timezone": rng.choice(["Africa/Lagos", "Europe/Paris", "Asia/Kolkata", "UTC"]),
            "format": FORMATS[number % 3],
            "location": "" if number % 3 == 0 else f"Library {number}, City {number % 97}",
            "country": COUNTRIES[number % 30],
            "language": LANGUAGES[number % 12],
            "signup": "closed" if number % 10 == 0 else "open",
            "participants": str(number % 40),
        }
        item = calendar_data.calendar_event(values, now)
        assert item is not None
        item["campaign"] = titles[number % len(titles)]
        rows.append(item)
    return rows


def limits(answer: dict) -> dict[str, str]:
    """The parser's limit report, by name."""
    report = {}
    for entry in answer["parse"].get("limitreportdata", []):
        name = entry["name"].removeprefix("limitreport-").removeprefix("scribunto-limitreport-")
        values = [str(entry[key]) for key in sorted(k for k in entry if k != "name")]
        report[name] = " / ".join(values)
    return report


def main() -> None:
    """Build, save, parse, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--keep", action="store_true", help="leave the scratch wikis running")
    options = parser.parse_args()
    layout = fresh_wikis("bench-calendar-devwiki", PORT)
    try:
        settings = load_settings(layout.config_path)
        farm = WikiFarm(settings)
        now = datetime.now(UTC)
        infos = campaigns()
        tree = build_tree({t: i.parent for t, i in infos.items()})
        rows = events(options.events, sorted(infos), now)

        started = time.perf_counter()
        section = calendar_data.campaigns_section(infos, tree, (e["campaign"] for e in rows))
        names = display_names(rows, locale_for(settings.hub.lang))
        document = calendar_data.build_document("Campaign events", rows, section, names, now)
        text = calendar_data.dumps(document)
        data = calendar_data.read_document(text)
        built = time.perf_counter() - started
        started = time.perf_counter()
        region = CalendarPage(settings).content(data, now)
        rendered = time.perf_counter() - started
        upcoming = sum(1 for e in rows if e["status"] != "ended")
        print(f"{options.events} events ({upcoming} ongoing or upcoming), {len(infos)} campaigns")
        print(
            f"document built and read back: {built:.2f} s; calendar region rendered: "
            f"{rendered:.2f} s, {len(region.encode()):,} bytes"
        )

        hub = farm.hub
        data_title = calendar_data.data_title("Campaign events")
        started = time.perf_counter()
        answer = hub.api(
            action="edit", title=data_title, text=text, contentmodel="json",
            summary="calendar benchmark", bot=1, token=hub.site.tokens["csrf"],
        )  # fmt: skip
        saved = time.perf_counter() - started
        assert answer.get("edit", {}).get("result") == "Success", answer
        info = hub.api(action="query", titles=data_title, prop="info", formatversion="2")
        stored = info["query"]["pages"][0]["length"]
        print(
            f"data page: {len(text.encode()):,} bytes sent, {stored:,} bytes stored "
            f"(pretty-printed by MediaWiki; limit 2,097,152), saved in {saved:.2f} s"
        )

        page_text = (
            "<!-- campaignkit:begin calendar -->\n" + region + "\n<!-- campaignkit:end calendar -->"
        )
        started = time.perf_counter()
        answer = hub.api(
            action="edit", title="Campaign events", text=page_text,
            summary="calendar benchmark", bot=1, token=hub.site.tokens["csrf"],
        )  # fmt: skip
        assert answer.get("edit", {}).get("result") == "Success", answer
        page_saved = time.perf_counter() - started
        started = time.perf_counter()
        answer = hub.api(
            action="parse", page="Campaign events", prop="limitreportdata", formatversion="2"
        )
        report = limits(answer)
        print(
            f"calendar page ({min(upcoming, PAGE_EVENTS)} of {upcoming} upcoming events listed): "
            f"{len(page_text.encode()):,} bytes, saved in {page_saved:.2f} s (with its parse), "
            f"parsed again in {time.perf_counter() - started:.2f} s, CPU "
            f"{report.get('cputime', '?')} s, post-expand {report.get('postexpandincludesize')}"
        )

        cases = {
            "default (ongoing and upcoming, 20)": "{{Campaign events list}}",
            "next 5 in Nigeria": "{{Campaign events list|country=NG|limit=5}}",
            "a topic over two years, limit 500": "{{Campaign events list|topic=climate"
            f"|from={(now - timedelta(days=400)):%Y-%m-%d}|limit=500}}}}",
            "matches nothing (scans all)": "{{Campaign events list|country=ZZ}}",
            "ten embeds on one page": "\n".join(
                f"{{{{Campaign events list|country={c}|limit=5}}}}" for c in COUNTRIES[:10]
            ),
        }
        print()
        print(
            "| embed | wall s | CPU s | Lua s (used / limit) | post-expand bytes | events shown |"
        )
        print("|---|---|---|---|---|---|")
        for label, wikitext in cases.items():
            timings = []
            for _ in range(3):
                started = time.perf_counter()
                answer = hub.api(
                    action="parse", text=wikitext, title="Calendar benchmark",
                    prop="text|limitreportdata", contentmodel="wikitext", formatversion="2",
                )  # fmt: skip
                timings.append(time.perf_counter() - started)
            report = limits(answer)
            shown = answer["parse"]["text"].count('class="campaignkit-calendar-event"')
            print(
                f"| {label} | {min(timings):.2f} | {report.get('cputime', '?')} "
                f"| {report.get('timeusage', '?')} "
                f"| {report.get('postexpandincludesize', '?')} | {shown} |"
            )
        print("\n(best of 3; post-expand as used / limit; standalone Lua reports no memory)")
        print(json.dumps({"events": options.events, "stored_bytes": stored}))
    finally:
        if not options.keep:
            stop_wikis(layout)


if __name__ == "__main__":
    main()
