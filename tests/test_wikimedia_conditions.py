"""Bot runs under Wikimedia's conditions: the conditions proxy in front of the real wikis.

Each test runs ``campaignkit sync`` as an operator does (a subprocess, its own
farm) with its wikis reached through :mod:`campaignkit.devwiki.conditions_proxy`:
a wiki that answers read-only, lagged, rate-limited, 503 or with reset
connections; a lost session; a Redis that is gone; a run killed with SIGKILL;
a time budget. What must hold every time: the other wiki's pages are updated,
the run is recorded, the exit code says something went wrong, no traceback is
printed, and nothing is lost (the next quiet run finishes the work).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
import tomli_w

from campaignkit.run_log import recent_runs
from campaignkit.wikitext.regions import region_content

pytest_plugins = ["tests.proxy_support"]
pytestmark = pytest.mark.wiki

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module", autouse=True)
def _templates(templates_installed):
    """The contract's templates are on the wikis."""


def campaignkit(config: Path, *arguments: str, timeout: float = 240) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "campaignkit", "--config", str(config), *arguments],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
    )


def config_variant(source: Path, target: Path, **bot: object) -> Path:
    """The proxied configuration with other [bot] or [services] values."""
    raw = tomllib.loads(source.read_text(encoding="utf-8"))
    services = bot.pop("services", {})
    raw["bot"].update(bot)
    raw.setdefault("services", {}).update(services)
    target.write_text(tomli_w.dumps(raw), encoding="utf-8")
    return target


class TwoWikiCampaign:
    """A campaign on the hub with events on the hub and on the Yoruba wiki, by people."""

    def __init__(self, human, unique_title, hub_events: int = 1) -> None:
        key = unique_title("W").split()[-1]
        self.title = f"Conditions campaign {key}"
        self.hub_events = [f"Conditions hub event {key} {n}" for n in range(hub_events)]
        self.yo_event = f"Conditions yo event {key}"
        ada = human("metawiki", "Ada Organizer")
        self.ada = ada
        self.bola_yo = human("yowiki", "Bola Participant")
        ada.edit(
            self.title,
            f"{{{{Campaign|name=C {key}|start=2027-04-01|end=2027-05-01}}}}\n"
            "{{Campaign bot region|events}}\n",
        )
        for n, title in enumerate(self.hub_events):
            ada.edit(
                title,
                f"{{{{Campaign event|campaign={self.title}|name=Hub {n}|start=2027-04-{10 + n} "
                f"10:00|end=2027-04-{10 + n} 16:00|format=online|wiki=metawiki}}}}\n"
                "{{Participant|Ada Organizer}}\n",
            )
        self.bola_yo.edit(
            self.yo_event,
            f"{{{{Ìṣẹ̀lẹ̀ ìpolongo|ìpolongo=m:{self.title}|orúkọ=Lagos|start=2027-04-20 10:00"
            "|end=2027-04-20 16:00|format=in-person|wiki=yowiki}}\n{{Olùkópa|Bola Participant}}\n",
        )

    def pages(self) -> list[tuple[str, str]]:
        return [("metawiki", t) for t in [self.title, *self.hub_events]] + [
            ("yowiki", self.yo_event)
        ]


def has_table(person, title: str, region: str = "participants") -> bool:
    text = person.text(title)
    return f"campaignkit:begin {region}" in text and "row" in region_content(text, region)


FAULTS = {
    "readonly": {"reason": "The database is locked for maintenance"},
    "maxlag": {"retry_after": 0},
    "ratelimited": {},
    "http503": {},
    "reset": {},
    "badtoken": {},
    "session_lost": {},
}


@pytest.mark.parametrize("kind", sorted(FAULTS))
def test_a_failing_wiki_is_left_and_the_other_is_updated(
    kind, proxied_wikis, human, unique_title, tmp_path
):
    campaign = TwoWikiCampaign(human, unique_title)
    proxied_wikis["yowiki"].inject(kind, actions=["edit"], **FAULTS[kind])
    done = campaignkit(proxied_wikis.config_path, "sync", campaign.title, "--json")
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "Traceback" not in output
    summary = json.loads(done.stdout)
    assert any(e.startswith("yowiki") for e in summary["errors"]), summary["errors"]
    # The hub's pages are done; the campaign lists the Yoruba event (read, not written).
    assert has_table(campaign.ada, campaign.hub_events[0])
    assert "Lagos" in region_content(campaign.ada.text(campaign.title), "events")
    assert not has_table(campaign.bola_yo, campaign.yo_event)
    assert summary["run_id"] in {run.run_id for run in recent_runs_of(proxied_wikis)}
    # Nothing is lost: once the wiki answers again, the next run does the rest.
    proxied_wikis.quiet()
    again = campaignkit(proxied_wikis.config_path, "sync", campaign.title, "--json")
    assert again.returncode == 0, again.stdout + again.stderr
    assert has_table(campaign.bola_yo, campaign.yo_event)
    edits = proxied_wikis["metawiki"].counts().edits_by_title
    assert all(count == 1 for title, count in edits.items() if title in campaign.hub_events)


def recent_runs_of(proxied_wikis) -> list:
    return recent_runs(proxied_wikis.settings.database_url, limit=50)


def test_without_redis_no_page_is_edited_and_the_run_says_why(
    proxied_wikis, human, unique_title, tmp_path
):
    campaign = TwoWikiCampaign(human, unique_title)
    config = config_variant(
        proxied_wikis.config_path,
        tmp_path / "no-redis.toml",
        services={"redis_url": "redis://127.0.0.1:9/0"},
    )
    done = campaignkit(config, "sync", campaign.title)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "Traceback" not in output
    assert "Redis does not answer" in output
    assert proxied_wikis["metawiki"].counts().edits_by_title == {}
    assert proxied_wikis["yowiki"].counts().edits_by_title == {}


def test_a_run_killed_halfway_is_finished_by_the_next_without_a_second_edit(
    proxied_wikis, human, unique_title, tmp_path
):
    campaign = TwoWikiCampaign(human, unique_title, hub_events=6)
    config = config_variant(proxied_wikis.config_path, tmp_path / "slow.toml", write_throttle=1)
    hub = proxied_wikis["metawiki"]
    run = subprocess.Popen(
        [sys.executable, "-m", "campaignkit", "--config", str(config), "sync", campaign.title],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        hub.wait_for(lambda counts: sum(counts.edits_by_title.values()) >= 3, timeout=120)
    finally:
        os.kill(run.pid, signal.SIGKILL)
        run.wait()
    before = dict(hub.counts().edits_by_title)
    assert 3 <= sum(before.values()) < 9, before  # killed halfway: not all pages done
    done = campaignkit(proxied_wikis.config_path, "sync", campaign.title)
    assert done.returncode == 0, done.stdout + done.stderr
    edits = {**hub.counts().edits_by_title}
    for wiki_id, title in campaign.pages():
        counts = proxied_wikis[wiki_id].counts().edits_by_title
        assert counts.get(title, 0) == 1, (title, edits, done.stdout)
    for title in campaign.hub_events:
        assert has_table(campaign.ada, title)


def test_a_time_budget_ends_the_run_in_time_and_the_next_run_goes_on(
    proxied_wikis, human, unique_title, tmp_path
):
    campaign = TwoWikiCampaign(human, unique_title, hub_events=8)
    config = config_variant(proxied_wikis.config_path, tmp_path / "slow.toml", write_throttle=1)
    started = time.monotonic()
    done = campaignkit(config, "sync", campaign.title, "--max-seconds", "6", "--json")
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stdout + done.stderr
    summary = json.loads(done.stdout)
    assert summary["seconds"] <= 6, done.stdout
    assert any("left for the next run" in w for w in summary["warnings"]), summary
    assert elapsed < 6 + 15  # the command's own start (imports, login) is outside the run
    assert 1 <= summary["edited"] < 10
    # The campaign table came first: organizers see every event before event pages are done.
    assert "Hub 7" in region_content(campaign.ada.text(campaign.title), "events")
    rest = campaignkit(proxied_wikis.config_path, "sync", campaign.title)
    assert rest.returncode == 0, rest.stdout + rest.stderr
    assert all(has_table(campaign.ada, title) for title in campaign.hub_events)


def test_a_second_scheduled_run_says_one_is_in_progress_and_exits_0(proxied_wikis, tmp_path):
    from bot.run.lease import RunLease

    settings = proxied_wikis.settings
    holder = RunLease(settings.database_url, "sync", settings.wikis, "holder")
    holder.acquire()
    try:
        done = campaignkit(proxied_wikis.config_path, "sync")
    finally:
        holder.release()
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1 and "a sync run is in progress" in lines[0], done.stdout


def test_a_no_change_run_of_a_campaign_stays_within_the_bound(proxied_wikis, human, unique_title):
    campaign = TwoWikiCampaign(human, unique_title, hub_events=3)
    first = campaignkit(proxied_wikis.config_path, "sync", campaign.title, "--json")
    assert first.returncode == 0, first.stdout + first.stderr
    done = campaignkit(proxied_wikis.config_path, "sync", campaign.title, "--json")
    summary = json.loads(done.stdout)
    assert summary["edited"] == 0 and not summary["errors"], summary
    # The bound, per wiki: ceil(listed pages / 500) listing requests (fewer than 500
    # contract pages on each test wiki), plus one (the new process's look at the wiki).
    for wiki_id, requests in summary["requests"].items():
        assert requests <= 1 + 1, (wiki_id, summary["requests"])
    assert not any(summary["pages_read"].values()), summary  # none read, none parsed
