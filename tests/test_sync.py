"""The bot's sync against the two real local wikis: tables, conflicts, citizenship, failures."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import tomli_w

from bot.run.page_state import PageState
from bot.sync.job import SyncJob
from campaignkit.locks import PageLocks
from campaignkit.stop_page import stop_page_title
from campaignkit.wikitext.regions import region_content

pytestmark = pytest.mark.wiki


@pytest.fixture(scope="module", autouse=True)
def _templates(templates_installed):
    """Every test here needs the contract's templates on the wikis."""


@pytest.fixture
def job(farm, settings, tmp_path, redis_url):
    """A sync job with its own record (so every test starts from a first run)."""
    state = PageState(f"sqlite:///{tmp_path / 'state.sqlite'}")
    locks = PageLocks.from_url(redis_url, "campaignkit-test")

    def make(job_class=SyncJob, **options):
        return job_class(farm, settings, state=state, locks=locks, **options)

    return make


class Campaign:
    """A campaign on the hub with an event on each wiki, written by people."""

    def __init__(self, human, unique_title):
        self.id = unique_title("C").split()[-1]
        self.title = f"Campaign {self.id}"
        self.hub_event = f"Hub event {self.id}"
        self.yo_event = f"Ìṣẹ̀lẹ̀ {self.id}"
        self.ada = human("metawiki", "Ada Organizer")
        self.bola_yo = human("yowiki", "Bola Participant")
        self.ada.edit(
            self.title,
            (
                f"{{{{Campaign|name=Climate {self.id}|start=2027-04-01|end=2027-05-01"
                "|organizers=Ada Organizer}}\nWelcome, written by Ada.\n\n"
                "{{Campaign bot region|events}}\n\nFooter written by Ada.\n"
            ),
        )
        self.ada.edit(
            self.hub_event,
            (
                f"{{{{Campaign event|campaign={self.title}|name=Paris online|start=2027-04-10 10:00"
                "|end=2027-04-10 16:00|timezone=Europe/Paris|format=online|wiki=metawiki"
                "|coordinates=48.8566, 2.3522|country=FR}}\n"
                "Event text by Ada.\n\n== Sign up ==\n"
                "# [[User:Ada Organizer|Ada]] ([[User talk:Ada Organizer|talk]]) 10:00\n"
                "{{Participant|Bola_Participant}}\n{{Participant|Nobody Such Person}}\n"
            ),
        )
        self.bola_yo.edit(
            self.yo_event,
            (
                f"{{{{Ìṣẹ̀lẹ̀ ìpolongo|ìpolongo=m:{self.title}|orúkọ=Lagos|start=2027-04-20 10:00"
                "|end=2027-04-20 16:00|timezone=Africa/Lagos|format=in-person|wiki=yowiki}}\n"
                "{{Olùkópa|Bola Participant}}\n"
            ),
        )


def rows_on(text: str, region: str = "events") -> list[str]:
    return [line for line in region_content(text, region).splitlines() if "row|" in line]


def test_campaign_with_events_on_both_wikis(job, human, unique_title, farm):
    campaign = Campaign(human, unique_title)
    summary = job().run([campaign.title])
    assert not summary.errors, summary.errors
    assert summary.edited == 5  # 2 event pages, the campaign page, 2 data subpages

    hub_text = campaign.ada.text(campaign.hub_event)
    participants = rows_on(hub_text, "participants")
    assert [r.split("user=")[1].split("|")[0] for r in participants] == [
        "Bola Participant",
        "Nobody Such Person",
        "Ada Organizer",
    ]
    assert "status=no such user" in participants[1]
    assert "{{Campaign participants header|count=2|new_editors=0}}" in hub_text
    assert hub_text.startswith("{{Campaign event|campaign=")
    assert "Event text by Ada." in hub_text
    assert any("Nobody Such Person" in w and "no such user" in w for w in summary.warnings)

    yo_text = campaign.bola_yo.text(campaign.yo_event)
    assert "count=1" in region_content(yo_text, "participants")

    campaign_text = campaign.ada.text(campaign.title)
    events = rows_on(campaign_text)
    assert len(events) == 2
    assert f"event={campaign.hub_event}" in events[0] and "participants=2" in events[0]
    assert f"event={campaign.yo_event}" in events[1] and "wiki=yowiki" in events[1]
    assert "timezone=Africa/Lagos" in events[1] and "status=upcoming" in events[1]
    assert "{{Campaign events end|events=2|participants=3|new_editors=0}}" in campaign_text
    before, after = campaign_text.split("<!-- campaignkit:begin events -->")
    assert before.endswith("{{Campaign bot region|events}}\n")
    assert after.endswith("-->\n\nFooter written by Ada.")

    data = json.loads(campaign.ada.text(f"{campaign.title}/events.json"))
    assert data["totals"] == {"events": 2, "participants": 3, "new_editors": 0}
    geo = json.loads(campaign.ada.text(f"{campaign.title}/events.geojson"))
    assert [f["geometry"]["coordinates"] for f in geo["features"]] == [[2.3522, 48.8566]]
    parsed = farm.hub.api(action="parse", page=campaign.title, prop="text", formatversion="2")
    assert "Paris online" in parsed["parse"]["text"] and "Lagos" in parsed["parse"]["text"]

    # Nothing changed: a second run edits nothing; both event pages are recorded at
    # their current revision, so later runs don't read them again.
    sync = job()
    again = sync.run([campaign.title])
    assert again.edited == 0 and not again.errors, again.lines()
    assert sync.outcomes[("metawiki", campaign.hub_event)].event is None  # from the record
    assert sync.outcomes[("yowiki", campaign.yo_event)].event is None


def test_new_signup_is_dated_by_its_revision(job, human, unique_title):
    campaign = Campaign(human, unique_title)
    job().run([campaign.title])
    bola = human("metawiki", "Bola Participant")
    text = bola.text(campaign.hub_event)
    bola.edit(
        campaign.hub_event,
        text.replace("== Sign up ==\n", "== Sign up ==\n# [[User:Admin|Admin]] 11:00\n"),
    )
    added_at = bola.history(campaign.hub_event)[0]["timestamp"]
    summary = job().run([campaign.title])
    assert summary.edited >= 2, summary.lines()
    rows = rows_on(bola.text(campaign.hub_event), "participants")
    admin_row = next(r for r in rows if "user=Admin" in r)
    assert f"signed_up={added_at[:10]} {added_at[11:16]}" in admin_row
    assert (
        "3 participants" in rows_on(bola.text(campaign.title))[0]
        or "participants=3" in (rows_on(bola.text(campaign.title))[0])
    )


class InterruptingSync(SyncJob):
    """A sync during which a person edits the page between the bot's read and its save."""

    human_edit = None

    def _write(self, wiki_pass, request):
        if self.human_edit is not None and request.title == self.human_edit[0]:
            _title, change = self.human_edit
            self.human_edit = None
            change()
        return super()._write(wiki_pass, request)


@pytest.mark.parametrize("where", ["same section", "elsewhere"])
def test_human_edit_between_read_and_save_survives(job, human, unique_title, where):
    campaign = Campaign(human, unique_title)
    ada = campaign.ada
    job().run([campaign.title])
    # A new sign-up makes the bot rewrite the table; meanwhile Ada edits the page.
    text = ada.text(campaign.hub_event)
    ada.edit(
        campaign.hub_event,
        text.replace("{{Participant|Nobody Such Person}}", "{{Participant|Admin}}"),
    )

    def ada_edits():
        current = ada.text(campaign.hub_event)
        if where == "same section":
            changed = current.replace(
                "{{Participant|Admin}}\n",
                "{{Participant|Admin}}\nAda's note right above the table\n",
            )
        else:
            changed = current.replace("Event text by Ada.", "Event text by Ada, improved.")
        ada.edit(campaign.hub_event, changed)

    sync = job(InterruptingSync)
    sync.human_edit = (campaign.hub_event, ada_edits)
    summary = sync.run([campaign.title])
    assert not summary.errors, summary.errors
    final = ada.text(campaign.hub_event)
    if where == "same section":
        assert "Ada's note right above the table" in final
    else:
        assert "Event text by Ada, improved." in final
    rows = rows_on(final, "participants")
    assert any("user=Admin" in r for r in rows)
    assert not any("Nobody Such Person" in r for r in rows)


def test_nobots_page_is_left_alone(job, human, unique_title):
    campaign = Campaign(human, unique_title)
    ada = campaign.ada
    ada.edit(campaign.hub_event, ada.text(campaign.hub_event) + "{{nobots}}\n")
    summary = job().run([campaign.title])
    assert any(campaign.hub_event in line and "nobots" in line for line in summary.skipped)
    assert "campaignkit:begin" not in ada.text(campaign.hub_event)
    assert len(rows_on(ada.text(campaign.title))) == 2  # the event is still listed


def test_stop_page_stops_every_write(job, human, unique_title, settings):
    campaign = Campaign(human, unique_title)
    admin_yo = human("yowiki", "Admin")
    admin_hub = human("metawiki", "Admin")
    title = stop_page_title(settings)
    try:
        admin_hub.edit(title, "stopped for maintenance")
        admin_yo.edit(title, "stopped for maintenance")
        summary = job().run([campaign.title])
        assert summary.edited == 0
        assert summary.skipped and all("stopped by" in line for line in summary.skipped)
        assert "campaignkit:begin" not in campaign.ada.text(campaign.title)
    finally:
        admin_hub.edit(title, "run")
        admin_yo.edit(title, "run")
    assert job().run([campaign.title]).edited == 5


def test_missing_end_marker_is_an_error_and_the_page_is_untouched(job, human, unique_title):
    campaign = Campaign(human, unique_title)
    job().run([campaign.title])
    broken = campaign.ada.text(campaign.hub_event).replace(
        "<!-- campaignkit:end participants -->", ""
    )
    broken += "{{Participant|Admin}}"
    campaign.ada.edit(campaign.hub_event, broken)
    summary = job().run([campaign.title])
    assert any(campaign.hub_event in e and "participants" in e for e in summary.errors)
    assert campaign.ada.text(campaign.hub_event) == broken
    assert len(rows_on(campaign.ada.text(campaign.title))) == 2


def test_deleted_event_page_keeps_its_row_until_pruned(job, human, unique_title):
    campaign = Campaign(human, unique_title)
    job().run([campaign.title])
    admin = human("yowiki", "Admin")
    assert "delete" in admin.post(action="delete", title=campaign.yo_event, token=admin.csrf())
    summary = job().run([campaign.title])
    rows = rows_on(campaign.ada.text(campaign.title))
    assert len(rows) == 2 and any(campaign.yo_event in r for r in rows)
    assert any("cannot be read (deleted?)" in w for w in summary.warnings)
    job(prune=True).run([campaign.title])
    assert len(rows_on(campaign.ada.text(campaign.title))) == 1


def test_unreachable_wiki_keeps_its_rows(job, human, unique_title, settings, tmp_path):
    campaign = Campaign(human, unique_title)
    job().run([campaign.title])
    before = rows_on(campaign.ada.text(campaign.title))
    # The same wikis, but the Yoruba wiki's api.php points at a port nobody answers.
    secret = tmp_path / "bot-password"
    secret.write_text(settings.bot.password())
    os.chmod(secret, 0o600)
    config = tmp_path / "campaignkit.toml"
    config.write_text(
        tomli_w.dumps(
            {
                "hub": settings.hub_id,
                "wikis": {
                    w.id: {
                        "api": w.api_url if w.id != "yowiki" else "http://127.0.0.1:9/api.php",
                        "lang": w.lang,
                    }
                    for w in settings.wikis.values()
                },
                "bot": {
                    "username": settings.bot.username,
                    "password_file": "bot-password",
                    "write_throttle": 0,
                    "max_retries": 1,
                    "retry_wait": 0.1,
                },
                "services": {"state_dir": "state", "redis_url": ""},
            }
        )
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CAMPAIGNKIT", "PYWIKIBOT"))}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "campaignkit",
            "--config",
            str(config),
            "sync",
            "--full",
            campaign.title,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "yowiki: cannot list event pages, keeping their previous rows" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert rows_on(campaign.ada.text(campaign.title)) == before
