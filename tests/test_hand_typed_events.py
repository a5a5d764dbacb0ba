"""Event pages written by hand, as organizers do, against the two real local wikis (issue 13).

Dates without a time, with month names (English on the hub, Yoruba on yowiki),
a time zone abbreviation and a broken date: every event is listed on its
campaign's table, the readable ones with their normalized times, the others as
"needs fixing" with the message that names page, template and field, counting
nothing. The pages' own text is never rewritten.
"""

from __future__ import annotations

import json

import pytest

from bot.run.page_state import PageState
from bot.sync.job import SyncJob
from campaignkit.locks import PageLocks
from campaignkit.wikitext.regions import region_content

pytestmark = pytest.mark.wiki


@pytest.fixture
def job(farm, settings, tmp_path, redis_url):
    """A sync job with its own record, so every test starts from a first run."""
    state = PageState(f"sqlite:///{tmp_path / 'state.sqlite'}")
    locks = PageLocks.from_url(redis_url, "campaignkit-test")

    def make(**options):
        return SyncJob(farm, settings, state=state, locks=locks, worklists=False, **options)

    return make


def rows(text: str) -> dict[str, str]:
    """The events table's rows by event title."""
    found = {}
    for line in region_content(text, "events").splitlines():
        if "row|" in line:
            title = line.split("event=", 1)[1].split("|", 1)[0]
            found[title] = line
    return found


class HandTyped:
    """A campaign whose organizers typed their event pages by hand."""

    def __init__(self, human, unique_title):
        key = unique_title("H").split()[-1]
        self.campaign = f"Campaign {key}"
        self.all_day = f"All day {key}"
        self.named_month = f"Ìṣẹ̀lẹ̀ oṣù {key}"
        self.abbreviation = f"Abbreviated zone {key}"
        self.bad_date = f"Bad date {key}"
        self.ada = human("metawiki", "Ada Organizer")
        self.bola_yo = human("yowiki", "Bola Participant")
        self.ada.edit(
            self.campaign,
            f"{{{{Campaign|name=Hand {key}|start=1 March 2027|end=31 March 2027}}}}\n"
            "{{Campaign bot region|events}}\n",
        )
        self.texts = {
            self.all_day: (
                f"{{{{Campaign event|campaign={self.campaign}|name=All day|start=2027-03-01"
                "|end=2027-03-01|timezone=Africa/Lagos|format=online|wiki=metawiki}}\n"
                "{{Participant|Ada Organizer}}\n"
            ),
            self.abbreviation: (
                f"{{{{Campaign event|campaign={self.campaign}|name=Zone by letters"
                "|start=2027-03-02 10:00|end=2027-03-02 16:00|timezone=WAT|format=online"
                "|wiki=metawiki}}\n{{Participant|Ada Organizer}}\n"
            ),
            self.bad_date: (
                f"{{{{Campaign event|campaign={self.campaign}|name=Typo|start=2027-13-01 10:00"
                "|end=2027-03-03 16:00|format=online|wiki=metawiki}}\n"
            ),
        }
        for title, text in self.texts.items():
            self.ada.edit(title, text)
        self.yo_text = (
            f"{{{{Ìṣẹ̀lẹ̀ ìpolongo|ìpolongo=m:{self.campaign}|orúkọ=Ọjà|start=1 Ẹrẹ̀nà 2027 10:00"
            "|end=1 Oṣù Ẹrẹ̀nà 2027|timezone=Africa/Lagos|format=in-person|wiki=yowiki}}\n"
            "{{Olùkópa|Bola Participant}}\n"
        )
        self.bola_yo.edit(self.named_month, self.yo_text)


def test_hand_typed_events_are_all_listed_and_the_unreadable_ones_need_fixing(
    job, human, unique_title, farm
):
    pages = HandTyped(human, unique_title)
    summary = job().run([pages.campaign])

    table = pages.ada.text(pages.campaign)
    found = rows(table)
    assert set(found) == {pages.all_day, pages.named_month, pages.abbreviation, pages.bad_date}

    all_day = found[pages.all_day]
    assert "start=2027-03-01 00:00|end=2027-03-01 23:59|timezone=Africa/Lagos" in all_day
    assert "participants=1" in all_day and "problem" not in all_day
    yoruba = found[pages.named_month]
    assert "start=2027-03-01 10:00|end=2027-03-01 23:59|timezone=Africa/Lagos" in yoruba
    assert "participants=1" in yoruba

    abbreviated = found[pages.abbreviation]
    assert "|timezone=" not in abbreviated and "|start=" not in abbreviated  # no UTC time shown
    assert "|participants=" not in abbreviated and "|status=" not in abbreviated
    assert "name=Zone by letters" in abbreviated
    assert (
        f"problem=Event page &#34;{pages.abbreviation}&#34; on metawiki, template "
        "&#123;&#123;Campaign event&#125;&#125;, field &#34;timezone&#34;: &#34;WAT&#34; is an "
        "abbreviation" in abbreviated
    )
    bad = found[pages.bad_date]
    assert "field &#34;start&#34;: &#34;2027-13-01 10:00&#34; is not a valid date" in bad
    # Unreadable events count nothing: 2 readable events, 2 participants.
    assert "{{Campaign events end|events=2|participants=2|new_editors=0}}" in table

    # The run names them: page, template and field, and where they are listed.
    assert any(
        f'"{pages.abbreviation}" on metawiki, template {{{{Campaign event}}}}, '
        'field "timezone": "WAT"' in e
        for e in summary.errors
    )
    assert any(f'"{pages.bad_date}"' in e and 'field "start"' in e for e in summary.errors)
    assert any(
        f"metawiki:{pages.bad_date}: listed as needs fixing on metawiki:{pages.campaign}" in w
        for w in summary.warnings
    )
    # The pages' own text is not rewritten: only a participants table was added.
    for title, text in pages.texts.items():
        assert pages.ada.text(title).startswith(text.split("\n", 1)[0])
    assert pages.bola_yo.text(pages.named_month).startswith(pages.yo_text.split("\n", 1)[0])

    # Readers see it: the rendered table says what needs fixing.
    html = farm.hub.api(action="parse", page=pages.campaign, prop="text", formatversion="2")
    html = html["parse"]["text"]
    assert html.count("Needs fixing") == 2 and "is an abbreviation" in html
    data = json.loads(pages.ada.text(f"{pages.campaign}/events.json"))
    assert data["totals"] == {"events": 2, "participants": 2, "new_editors": 0}
    assert sorted(e["event"] for e in data["needs_fixing"]) == sorted(
        [pages.abbreviation, pages.bad_date]
    )

    # A later run that reads nothing new still names them.
    again = job().run([])
    assert any(
        f"metawiki:{pages.bad_date}: still needs fixing (page unchanged)" in w
        for w in again.warnings
    )
    assert rows(pages.ada.text(pages.campaign)) == found


def test_a_run_for_the_unreadable_event_page_itself_reports_it_and_lists_it(
    job, human, unique_title
):
    pages = HandTyped(human, unique_title)
    summary = job().run([pages.abbreviation])
    assert any('field "timezone": "WAT"' in e for e in summary.errors)
    found = rows(pages.ada.text(pages.campaign))
    assert "problem=" in found[pages.abbreviation]

    # Fixed by the organizer: the next run for the page gives it its real row.
    pages.ada.edit(
        pages.abbreviation, pages.texts[pages.abbreviation].replace("WAT", "Africa/Lagos")
    )
    fixed = job().run([pages.abbreviation])
    assert not fixed.errors, fixed.errors
    row = rows(pages.ada.text(pages.campaign))[pages.abbreviation]
    assert "start=2027-03-02 10:00" in row and "timezone=Africa/Lagos" in row
    assert "problem" not in row and "participants=1" in row


def test_an_unclosed_event_template_is_reported_where_organizers_put_event_pages(
    job, human, unique_title
):
    pages = HandTyped(human, unique_title)
    subpage = f"{pages.campaign}/Unclosed"  # a subpage of the campaign, linking nowhere
    pages.ada.edit(
        subpage,
        "Copied from last year.\n\n"
        f"{{{{Campaign event|campaign={pages.campaign}|name=Copied|start=2027-03-05"
        "|end=2027-03-05|format=online|wiki=metawiki\n\n== Sign up ==\n",
    )
    yo_page = f"Ìṣẹ̀lẹ̀ tí kò parí {pages.campaign.split()[-1]}"
    pages.bola_yo.edit(
        yo_page,
        f"Apá kan [[m:{pages.campaign}]].\n"
        f"{{{{Ìṣẹ̀lẹ̀ ìpolongo|ìpolongo=m:{pages.campaign}|orúkọ=Ọjà|start=2027-03-06\n",
    )
    example = f"How to write an event {pages.campaign.split()[-1]}"
    pages.ada.edit(
        example,
        f"See [[{pages.campaign}]]. Write <nowiki>{{{{Campaign event|campaign=…</nowiki> and "
        "<!-- {{Campaign event| --> fill it in.",
    )
    # The runs after each organizer's save do not look (it costs requests per campaign) ...
    quick = job().run([pages.campaign])
    assert not [e for e in quick.errors if "is not closed with }}" in e]
    # ... the nightly --full run does, here for one campaign.
    summary = job(full=True).run([pages.campaign])
    broken = [e for e in summary.errors if "is not closed with }}" in e]
    assert len(broken) == 2, summary.errors
    assert any(
        e.startswith(f'Page "{subpage}" on metawiki, template {{{{Campaign event}}}}, line 3:')
        for e in broken
    )
    assert any(
        e.startswith(f'Page "{yo_page}" on yowiki, template {{{{Ìṣẹ̀lẹ̀ ìpolongo}}}}, line 2:')
        for e in broken
    )
    assert not any(example in e for e in summary.errors)  # an example is no broken event

    # Asked for by name, the page itself says what is wrong.
    direct = job().run([subpage])
    assert any(e.startswith(f'Page "{subpage}" on metawiki') for e in direct.errors)
    # Once closed, it is an event page like any other.
    pages.ada.edit(subpage, pages.ada.text(subpage).replace("wiki=metawiki\n", "wiki=metawiki}}\n"))
    fixed = job(full=True).run([pages.campaign])
    assert [e for e in fixed.errors if "is not closed" in e] == [e for e in broken if yo_page in e]
    assert subpage in rows(pages.ada.text(pages.campaign))


def rendered(farm, wiki_id: str, text: str) -> str:
    answer = farm[wiki_id].api(
        action="parse",
        text=text,
        title="Hand typed",
        contentmodel="wikitext",
        prop="text",
        formatversion="2",
    )
    return answer["parse"]["text"]


@pytest.mark.parametrize(
    ("wiki_id", "start", "end", "shown", "valid"),
    [
        ("yowiki", "1 Ẹrẹ̀nà 2027 10:00", "1 Oṣù Ẹrẹ̀nà 2027", "1 Oṣù Ẹ̀rẹ̀nà 2027, 10:00", True),
        ("yowiki", "1 erena 2027", "2027-03-02", "1 Oṣù Ẹ̀rẹ̀nà 2027 – 2 Oṣù Ẹ̀rẹ̀nà 2027", True),
        (
            "metawiki",
            "March 1, 2027 4:30 pm",
            "2027-03-01",
            "1 March 2027, 16:30 – 1 March 2027",
            True,
        ),
        ("metawiki", "2027-03-01T10:00", "2027-03-01 16:00", "1 March 2027, 10:00", True),
        ("metawiki", "2027-13-01 10:00", "2027-03-01", "2027-13-01 10:00", False),
        ("metawiki", "tomorrow", "2027-03-01", "tomorrow", False),
        ("metawiki", "2027-03-01T10:00Z", "2027-03-01", "2027-03-01T10:00Z", False),
        ("metawiki", "01/03/2027", "2027-03-01", "01/03/2027", False),
    ],
)
def test_the_event_box_reads_dates_as_the_bot_does(farm, wiki_id, start, end, shown, valid):
    """The page's own box agrees with the bot: no red note for a date the bot reads."""
    name = "Ìṣẹ̀lẹ̀ ìpolongo" if wiki_id == "yowiki" else "Campaign event"
    html = rendered(
        farm,
        wiki_id,
        f"{{{{{name}|campaign=C|name=N|start={start}|end={end}|format=online|wiki={wiki_id}}}}}",
    )
    assert shown in html
    assert ("campaignkit-problems" not in html) is valid, html
