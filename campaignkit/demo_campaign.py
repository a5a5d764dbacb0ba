"""The sample campaign the demo writes on the local wikis, as people would.

Pages are written by the local organizer and participants (not by the bot), so
page histories, sign-up times and the bot's conflict handling look as they do
on a real wiki. Event dates are set around the time of the first demo run, so
one event is ongoing and one upcoming. Pages that exist already are left as
they are: running the demo twice adds nothing and loses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from campaignkit.devwiki.install import LocalAccounts
from campaignkit.devwiki.layout import DevWikiLayout
from campaignkit.devwiki.local_user import HumanEditor

CAMPAIGN = "WikiForHumanRights 2027"
HUB_EVENT = f"{CAMPAIGN}/Online session"
YO_EVENT = "Ìpolongo ẹ̀tọ́ ọmọnìyàn Lagos"
WORKLIST = f"{CAMPAIGN}/Worklist"
ARTICLES = {  # hub article -> its Yoruba counterpart, if one exists
    "Freedom of expression": "Òmìnira ọ̀rọ̀ sísọ",
    "Right to education": None,
    "Right to a healthy environment": None,
    "Climate justice": None,
}


@dataclass(frozen=True)
class SamplePages:
    """Where the sample lives, for the demo's printout."""

    campaign: str = CAMPAIGN
    hub_event: str = HUB_EVENT
    yo_event: str = YO_EVENT
    worklist: str = WORKLIST


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def _create(editor: HumanEditor, title: str, text: str, summary: str) -> bool:
    """Create a page unless it exists (never overwrite what a person may have changed)."""
    page = editor.get(action="query", titles=title)["query"]["pages"][0]
    if not page.get("missing"):
        return False
    answer = editor.post(
        action="edit", title=title, text=text, summary=summary, createonly="1", token=editor.csrf()
    )
    if answer.get("edit", {}).get("result") != "Success":
        raise RuntimeError(f"could not create {title}: {answer}")
    return True


def write_sample_campaign(
    layout: DevWikiLayout, accounts: LocalAccounts, now: datetime | None = None
) -> SamplePages:
    """Write the campaign, two events, sign-ups, articles and a worklist."""
    now = (now or datetime.now(UTC)).replace(second=0, microsecond=0)
    hub, local = layout.hub, layout.wiki("yowiki")
    organizer = "Ada Organizer"
    participant = "Bola Participant"
    ada_hub = HumanEditor(hub.api_url, organizer, accounts.users[organizer])
    ada_yo = HumanEditor(local.api_url, organizer, accounts.users[organizer])
    bola_hub = HumanEditor(hub.api_url, participant, accounts.users[participant])
    bola_yo = HumanEditor(local.api_url, participant, accounts.users[participant])

    for title, counterpart in ARTICLES.items():
        links = f"\n[[yo:{counterpart}]]" if counterpart else ""
        _create(
            ada_hub,
            title,
            f"'''{title}''' is a human right.\n\n[[Category:Human rights]]{links}",
            "demo article",
        )
        if counterpart:
            _create(
                ada_yo,
                counterpart,
                f"'''{counterpart}''' jẹ́ ẹ̀tọ́ ọmọnìyàn.\n\n[[en:{title}]]",
                "demo article",
            )
    _create(ada_hub, "Category:Human rights", "Articles about human rights.", "demo category")

    start, end = now - timedelta(hours=1), now + timedelta(hours=5)
    _create(
        ada_hub,
        CAMPAIGN,
        (
            f"{{{{Campaign|name={CAMPAIGN}|start={start:%Y-%m-%d}"
            f"|end={now + timedelta(days=30):%Y-%m-%d}"
            "|hashtag=WikiForHumanRights|topic=Human rights and the environment"
            f"|organizers={organizer}|description=Write about the right to a healthy "
            "environment, in every language.}}\n"
            "Welcome to the campaign! Add your event with the web form or by copying an "
            "event page.\n\n== Events ==\n{{Campaign bot region|events}}\n\n"
            "== Metrics ==\n{{Campaign bot region|metrics}}\n"
        ),
        "demo: new campaign",
    )
    _create(
        ada_hub,
        HUB_EVENT,
        (
            f"{{{{Campaign event|campaign={CAMPAIGN}|name=Online editing session"
            f"|start={_when(start)}|end={_when(end)}|timezone=UTC|format=online|wiki=metawiki"
            f"|organizers={organizer}|worklist={WORKLIST}|signup=open"
            "|meeting_link=https://meet.example.org/wikiforhumanrights"
            "|description=Bring a laptop; we write together.}}\n\n"
            "== Sign up ==\nAdd {{tl|Participant|your name}} or sign below.\n"
        ),
        "demo: new event",
    )
    lagos_start = now + timedelta(days=7)
    _create(
        ada_yo,
        YO_EVENT,
        (
            f"{{{{Ìṣẹ̀lẹ̀ ìpolongo|ìpolongo=m:{CAMPAIGN}|orúkọ=Ìkẹ́kọ̀ọ́ Lagos"
            f"|ìbẹ̀rẹ̀={_when(lagos_start)}|ìparí={_when(lagos_start + timedelta(hours=6))}"
            "|timezone=Africa/Lagos|format=in-person|ibi=Yaba, Lagos|coordinates=6.5095, 3.3711"
            f"|country=NG|language=yo|wiki=yowiki|olùṣètò={organizer}}}}}\n\n"
            "== Forúkọsílẹ̀ ==\n"
        ),
        "demo: new event",
    )
    _create(
        ada_hub,
        WORKLIST,
        (
            "{{Worklist|wiki=yowiki|source_wiki=metawiki|category=Human rights}}\n"
            "Articles about human rights that the Yoruba Wikipedia does not have yet.\n"
        ),
        "demo",
    )

    # Participants sign up by editing the event pages, one by template, one by signature.
    text = bola_hub.text(HUB_EVENT)
    if "Bola Participant" not in text:
        bola_hub.edit(HUB_EVENT, text + "\n{{Participant|Bola Participant}}", "signing up")
    text = ada_hub.text(HUB_EVENT)
    if "[[User:Ada Organizer" not in text:
        ada_hub.edit(
            HUB_EVENT,
            text + "\n# [[User:Ada Organizer|Ada]] ([[User talk:Ada Organizer|talk]])",
            "signing up",
        )
    text = bola_yo.text(YO_EVENT)
    if "Bola Participant" not in text:
        bola_yo.edit(YO_EVENT, text + "\n# [[Oníṣe:Bola Participant|Bola]] 10:00", "forúkọsílẹ̀")
    return SamplePages()
