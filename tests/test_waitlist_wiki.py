"""Capacity and waitlist on the real wikis: sign-up order from the page history, moving up.

The event page's history is imported (importDump.php) with sign-ups a minute
apart and in another order on the page than in time, so the test shows that
places go by the time people signed up, not by where their line is.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from datetime import UTC, datetime, timedelta
from xml.sax.saxutils import escape

import pytest

from bot.run.page_state import PageState
from bot.sync.job import SyncJob
from campaignkit.devwiki.layout import MEDIAWIKI_ROOT
from campaignkit.locks import PageLocks
from campaignkit.wikitext.regions import region_content

pytestmark = pytest.mark.wiki


def import_history(wiki, title: str, texts: list[str]) -> None:
    """The page with these revisions, one minute apart, ending ten minutes ago."""
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=len(texts) + 10)
    with tempfile.NamedTemporaryFile("w", suffix=".xml", delete=False, encoding="utf-8") as dump:
        dump.write(
            '<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/" version="0.11">\n'
            f"<page><title>{escape(title)}</title><ns>0</ns>\n"
        )
        for number, text in enumerate(texts):
            when = (start + timedelta(minutes=number)).strftime("%Y-%m-%dT%H:%M:%SZ")
            dump.write(
                f"<revision><timestamp>{when}</timestamp>"
                "<contributor><username>Admin</username></contributor>"
                "<comment>sign-up</comment><model>wikitext</model><format>text/x-wiki</format>"
                f'<text xml:space="preserve">{escape(text)}</text></revision>\n'
            )
        dump.write("</page></mediawiki>\n")
    try:
        subprocess.run(
            [
                "php",
                str(MEDIAWIKI_ROOT / "maintenance" / "importDump.php"),
                "--conf",
                str(wiki.settings_file),
                "--no-updates",
                dump.name,
            ],
            env={**os.environ, "MW_CONFIG_FILE": str(wiki.settings_file)},
            capture_output=True,
            check=True,
        )
    finally:
        os.unlink(dump.name)


def rows(text: str) -> dict[str, str]:
    """user -> the row's status (with its waitlist place)."""
    found = {}
    for line in region_content(text, "participants").splitlines():
        if "row|" not in line:
            continue
        values = dict(part.split("=", 1) for part in line.strip("{}").split("|")[1:])
        status = values["status"]
        if "waitlist" in values:
            status += f" {values['waitlist']}"
        found[values["user"]] = status
    return found


def test_places_go_by_sign_up_time_and_the_first_waitlisted_moves_up(
    farm, settings, human, devwiki_layout, unique_title, tmp_path, redis_url
):
    key = unique_title("W").split()[-1]
    campaign, event = f"Waitlist campaign {key}", f"Waitlist event {key}"
    ada = human("metawiki", "Ada Organizer")
    ada.edit(
        campaign,
        f"{{{{Campaign|name=W {key}|start=2027-04-01|end=2027-05-01}}}}\n"
        "{{Campaign bot region|events}}\n",
    )
    head = (
        f"{{{{Campaign event|campaign={campaign}|name=Small room|start=2027-04-20 10:00"
        "|end=2027-04-20 16:00|timezone=Africa/Lagos|format=in-person|wiki=metawiki"
        "|capacity=2}}\n\n== Sign up ==\n"
    )
    chidi, bola, admin = (
        "{{Participant|Chidi Coordinator}}",
        "{{Participant|Bola Participant}}",
        "{{Participant|Admin}}",
    )
    # Signed up Chidi, then Bola, then Admin, each line put at the top of the list.
    import_history(
        devwiki_layout.wiki("metawiki"),
        event,
        [
            f"{head}{chidi}\n",
            f"{head}{bola}\n{chidi}\n",
            f"{head}{admin}\n{bola}\n{chidi}\n",
        ],
    )
    ada.edit(event, ada.text(event) + "Bring a laptop.\n")  # a live edit: links updated
    state = PageState(f"sqlite:///{tmp_path / 'state.sqlite'}")
    locks = PageLocks.from_url(redis_url, "campaignkit-test")

    def sync():
        summary = SyncJob(farm, settings, state=state, locks=locks, worklists=False).run([campaign])
        assert not summary.errors, summary.errors
        return summary

    first = sync()
    assert rows(ada.text(event)) == {
        "Admin": "waitlisted 1",
        "Bola Participant": "ok",
        "Chidi Coordinator": "ok",
    }
    assert not any("waitlisted" in w for w in first.warnings)  # waiting is not a fault
    header = region_content(ada.text(event), "participants").splitlines()[0]
    assert header == "{{Campaign participants header|count=2|new_editors=0|waitlisted=1}}"
    campaign_text = ada.text(campaign)
    assert "participants=2" in campaign_text and "waitlisted=1" in campaign_text
    parsed = farm.hub.api(action="parse", page=event, prop="text", formatversion="2")
    html = parsed["parse"]["text"]
    assert "waitlisted&#32;(place 1)" in html and "· waitlisted: 1</caption>" in html

    # Bola withdraws: Admin, first on the waitlist, moves up at the next sync.
    ada.edit(event, ada.text(event).replace(f"{bola}\n", ""))
    sync()
    assert rows(ada.text(event)) == {"Admin": "ok", "Chidi Coordinator": "ok"}
    campaign_text = ada.text(campaign)
    assert "participants=2" in campaign_text and "waitlisted=" not in campaign_text
