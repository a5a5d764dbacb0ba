"""``campaignkit notify`` on the real local wikis: once, only where welcome, in the wiki's language.

Every test signs up fresh accounts (made with MediaWiki's createAndPromote.php),
so the talk pages it looks at are its own, and uses a database of its own (the
journal, the records and the metrics snapshots).
"""

from __future__ import annotations

import dataclasses
import os
import secrets
import signal
import subprocess
import sys
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import tomli_w

from bot.metrics.job import run_metrics
from bot.notifications.job import run_notify
from bot.notifications.journal import EXCLUDED, PENDING, SENT, NotificationJournal
from bot.run.summary import RunSummary
from campaignkit.devwiki.install import _php
from campaignkit.locks import PageLocks
from tests.human import HumanEditor

pytestmark = pytest.mark.wiki
pytest_plugins = ["tests.proxy_support"]
ROOT = Path(__file__).resolve().parent.parent
BOT = "CampaignBot"


def local(moment: datetime, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


@pytest.fixture
def people(devwiki_layout):
    """Fresh accounts on a wiki: ``people("metawiki", 3)`` -> logged-in editors."""

    def make(wiki_id: str, count: int) -> list[HumanEditor]:
        wiki = devwiki_layout.wiki(wiki_id)
        key = secrets.token_hex(3)
        editors = []
        for number in range(count):
            name = f"Notify {key} {chr(65 + number)}"
            password = "pw-" + secrets.token_hex(8)
            _php("createAndPromote.php", wiki, name, password)
            editors.append(HumanEditor(wiki.api_url, name, password))
        return editors

    return make


@pytest.fixture
def own_settings(settings, tmp_path):
    """The test wikis' settings with a database of this test's own."""

    def make(**notify: object):
        return dataclasses.replace(
            settings, database_url=f"sqlite:///{tmp_path / 'notify.sqlite'}", notify=notify
        )

    return make


@pytest.fixture
def locks(redis_url):
    return PageLocks.from_url(redis_url, "campaignkit-test")


def event_text(
    campaign: str, name: str, start: datetime, end: datetime, signups: list[str], **extra: str
) -> str:
    zone = extra.pop("timezone", "Africa/Lagos")
    fields = "".join(f"|{key}={value}" for key, value in extra.items())
    lines = "\n".join(f"* {{{{Participant|{name}}}}}" for name in signups)
    return (
        f"{{{{Campaign event|campaign={campaign}|name={name}|start={local(start, zone)}"
        f"|end={local(end, zone)}|timezone={zone}|format=hybrid|wiki=metawiki"
        f"|location=Yaba Library, Lagos|meeting_link=https://meet.example.org/lagos{fields}}}}}\n"
        f"Come and edit.\n\n== Sign up ==\n{lines}\n"
    )


def bot_revisions(editor: HumanEditor, title: str) -> list[dict]:
    answer = editor.get(
        action="query", prop="revisions", titles=title, rvprop="ids|user|comment", rvlimit="50"
    )
    page = answer["query"]["pages"][0]
    return [r for r in page.get("revisions", []) if r["user"] == BOT]


def talk_text(editor: HumanEditor, name: str) -> str | None:
    page = editor.get(
        action="query",
        prop="revisions",
        titles=f"User talk:{name}",
        rvprop="content",
        rvslots="main",
    )["query"]["pages"][0]
    if page.get("missing"):
        return None
    return page["revisions"][0]["slots"]["main"]["content"]


def test_reminders_go_once_only_where_welcome_and_a_dry_run_writes_nothing(
    farm, own_settings, human, people, unique_title, locks
):
    welcome, nobots, optout, listed, waiting = people("metawiki", 5)
    ada = human("metawiki", "Ada Organizer")
    key = unique_title("N").split()[-1]
    optout_page = f"Notify opt-out {key}"
    ada.edit(optout_page, f"Names that get no messages:\n* [[User:{listed.username}]]\n")
    nobots.edit(f"User talk:{nobots.username}", "{{nobots}}\nPlease write to me by email.")
    optout.edit(f"User talk:{optout.username}", "{{bots|optout=campaignkit}}\nHello.")
    start = datetime.now(UTC) + timedelta(hours=5)
    event = f"Notify event {key}"
    signups = [p.username for p in (welcome, nobots, optout, listed, waiting)]
    ada.edit(
        event,
        event_text(
            f"Campaign {key}",
            "Lagos [[edit]]-a-thon {{!}}",
            start,
            start + timedelta(hours=6),
            signups,
            reminders="yes",
            capacity="4",
        ),
    )
    quiet = f"Quiet event {key}"  # the same people, no reminders=yes: nobody is told
    ada.edit(
        quiet, event_text(f"Campaign {key}", "Quiet", start, start + timedelta(hours=1), signups)
    )
    settings = own_settings(optout_page=optout_page)
    journal = NotificationJournal(settings.database_url)

    run = {"locks": locks, "targets": [event, quiet]}
    dry, _ = run_notify(farm, settings, dry_run=True, **run)
    assert not dry.errors, dry.errors
    assert len(dry.diffs) == 1 and "Lagos" in dry.diffs[0]
    assert talk_text(ada, welcome.username) is None  # nothing written
    assert journal.all() == []  # nothing journaled

    first, _ = run_notify(farm, settings, **run)
    assert not first.errors, first.errors
    assert first.edited == 1
    text = talk_text(ada, welcome.username)
    assert text is not None and text.count("== Reminder:") == 1
    assert local(start, "Africa/Lagos") in text and start.strftime("%Y-%m-%d %H:%M") in text
    assert f"[[:{event}|" in text and "https://meet.example.org/lagos" in text
    assert "Yaba Library" in text and "[[User:CampaignBot" in text  # the bot's signature
    parsed = farm.hub.api(
        action="parse",
        title=f"User talk:{welcome.username}",
        text=text,
        prop="links",
        contentmodel="wikitext",
        formatversion="2",
    )
    links = [link["title"] for link in parsed["parse"]["links"]]
    assert "Edit" not in links  # the event's name added no link
    [revision] = bot_revisions(ada, f"User talk:{welcome.username}")
    assert "reminder: Lagos" in revision["comment"] and "ck-notify:" in revision["comment"]
    assert talk_text(ada, nobots.username) == "{{nobots}}\nPlease write to me by email."
    assert talk_text(ada, optout.username) == "{{bots|optout=campaignkit}}\nHello."
    assert talk_text(ada, listed.username) is None
    assert talk_text(ada, waiting.username) is None  # on the waitlist: not told to come
    states = {(e.key.user, e.key.kind): e.status for e in journal.all()}
    assert states == {
        (welcome.username, "reminder"): SENT,
        (nobots.username, "reminder"): EXCLUDED,
        (optout.username, "reminder"): EXCLUDED,
        (listed.username, "reminder"): EXCLUDED,
    }

    second, _ = run_notify(farm, settings, **run)
    assert not second.errors, second.errors
    assert second.edited == 0
    assert len(bot_revisions(ada, f"User talk:{welcome.username}")) == 1


def test_a_killed_run_is_settled_from_the_history_without_a_second_message(
    proxied_wikis, human, people, unique_title, tmp_path
):
    (person,) = people("metawiki", 1)
    ada = human("metawiki", "Ada Organizer")
    key = unique_title("K").split()[-1]
    start = datetime.now(UTC) + timedelta(hours=2)
    event = f"Killed notify event {key}"
    ada.edit(
        event,
        event_text(
            f"Campaign {key}",
            "Killed",
            start,
            start + timedelta(hours=1),
            [person.username],
            reminders="yes",
        ),
    )
    raw = tomllib.loads(proxied_wikis.config_path.read_text(encoding="utf-8"))
    raw.setdefault("services", {})["database_url"] = f"sqlite:///{tmp_path / 'killed.sqlite'}"
    config = tmp_path / "campaignkit.toml"
    config.write_text(tomli_w.dumps(raw), encoding="utf-8")
    hub = proxied_wikis["metawiki"]
    talk = f"User talk:{person.username}"
    # The wiki saves the message; its answer never comes, and the run is killed meanwhile.
    hub.inject("timeout", when="after", hold=30, title=talk, actions=["edit"])
    command = [sys.executable, "-m", "campaignkit", "--config", str(config), "notify", event]
    run = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        hub.wait_for(lambda counts: counts.edits_by_title.get(talk, 0) >= 1, timeout=120)
    finally:
        os.kill(run.pid, signal.SIGKILL)
        run.wait()
    journal = NotificationJournal(raw["services"]["database_url"])
    assert [e.status for e in journal.all()] == [PENDING]
    hub.clear()
    # The person archives their talk page: only the history still shows the message.
    person.edit(talk, "Archived.")
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stdout + done.stderr
    assert hub.counts().edits_by_title[talk] == 1  # still the killed run's one message
    assert len(bot_revisions(ada, talk)) == 1
    [entry] = journal.all()
    assert entry.status == SENT and entry.note == "found in the page history"


def test_thanks_carry_each_persons_figures_in_the_wikis_language(
    farm, own_settings, human, people, unique_title, locks
):
    writer, quiet = people("yowiki", 2)
    bola = human("yowiki", "Bola Participant")
    key = unique_title("T").split()[-1]
    start = datetime.now(UTC) - timedelta(hours=1)
    end = datetime.now(UTC) + timedelta(hours=1)
    event = f"Ìṣẹ̀lẹ̀ ọpẹ́ {key}"
    bola.edit(
        event,
        "{{Ìṣẹ̀lẹ̀ ìpolongo|ìpolongo=m:Campaign "
        f"{key}|orúkọ=Ọpẹ́ {key}|ìbẹ̀rẹ̀={local(start, 'UTC')}|ìparí={local(end, 'UTC')}"
        "|timezone=UTC|format=online|wiki=yowiki|ìránnilétí=yes}}\n"
        f"{{{{Olùkópa|{writer.username}}}}}\n{{{{Olùkópa|{quiet.username}}}}}\n",
    )
    writer.edit(f"Àyọkà {key}", "Ọ̀rọ̀ tuntun nípa Èkó. " * 20 + "<ref>Ìwé kan</ref>")
    settings = own_settings()
    after_end = end + timedelta(minutes=5)

    run = {"locks": locks, "targets": [event]}
    not_yet, _ = run_notify(farm, settings, now=lambda: after_end, **run)
    assert not not_yet.errors and not_yet.edited == 0  # no metrics after the end yet

    measured = run_metrics(
        farm, settings, RunSummary("metrics"), targets=[event], now=after_end, write=True
    )
    assert not measured.summary.errors, measured.summary.errors
    later = after_end + timedelta(minutes=5)
    done, _ = run_notify(farm, settings, now=lambda: later, **run)
    assert not done.errors, done.errors
    assert done.edited == 2
    text = talk_text(bola, writer.username)
    assert text is not None and "== Ẹ ṣé fún kíkópa nínú Ọpẹ́" in text
    assert "ẹ ṣe àtúnṣe '''1'''" in text and "àyọkà tuntun '''1'''" in text
    assert "ìtọ́kasí '''1'''" in text  # references, measured
    assert "olùkópa 2, àtúnṣe 1" in text  # the event's totals
    other = talk_text(bola, quiet.username)
    assert other is not None and "ẹ ṣe àtúnṣe '''0'''" in other
    again, _ = run_notify(farm, settings, now=lambda: later, **run)
    assert again.edited == 0
