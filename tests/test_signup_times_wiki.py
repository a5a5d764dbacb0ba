"""Sign-up dating against a real MediaWiki history of 1,200 revisions.

The page is imported (tests/signup_history.py) with sign-ups at known
revisions, a minute apart; the bot's own parser reads each revision. What the
fake API of tests/test_signup_times.py cannot show is checked here: MediaWiki's
limits and continuation, ``rvendid`` for a revision of another page or none,
and that the requests counted are the HTTP requests the wiki saw.
benchmarks/signup_dating_benchmark.py measures 500 and 5,000 revisions.
"""

from __future__ import annotations

import uuid

import pytest

from bot.sync.signup_times import MAX_CONTENT_REQUESTS, date_signups
from campaignkit.wiki.users import parse_timestamp
from tests.signup_history import SignupHistory, build_signup_history, names_in

pytestmark = pytest.mark.wiki

REVISIONS = 1200
SIGNUPS = 30


@pytest.fixture(scope="module")
def history(devwiki_layout, devwikis) -> SignupHistory:
    title = f"Sign-up history {uuid.uuid4().hex[:10]}"
    return build_signup_history(devwiki_layout.wiki("metawiki"), title, REVISIONS, SIGNUPS)


@pytest.fixture
def bot(farm):
    connection = farm["metawiki"]
    connection.login()
    return connection


def dated(bot, history: SignupHistory, pending: set[str], **options):
    return date_signups(
        bot,
        history.title,
        pending,
        names_in,
        latest_timestamp=history.timestamps[-1].strftime("%Y-%m-%dT%H:%M:%SZ"),
        latest_revid=history.revids[-1],
        latest_parentid=history.revids[-2],
        **options,
    )


def test_a_first_run_dates_every_name_exactly_at_a_bounded_cost(farm, bot, history):
    pending = set(history.added_at)
    assert len(pending) == SIGNUPS
    before = farm.request_counts()["metawiki"]
    dating = dated(bot, history, pending)
    assert farm.request_counts()["metawiki"] - before == dating.requests
    for name in pending:
        assert dating.dates[name].revid == history.revid_of(name), name
        assert dating.dates[name].timestamp == history.time_of(name), name
    assert not dating.estimated
    # The bot lists 5,000 revisions a request; texts are a fraction of the history.
    assert dating.listing_requests == 1
    assert dating.content_requests <= MAX_CONTENT_REQUESTS
    assert dating.texts_read < REVISIONS // 4


def test_a_scheduled_run_dates_a_new_signup_from_the_new_revisions_only(farm, bot, history, human):
    editor = human("metawiki", "Bola Participant")
    text = editor.text(history.title)
    signed = editor.edit(history.title, text + "{{Participant|Bola Participant}}\n")
    newest = editor.edit(
        history.title,
        text.replace("News line", "News:") + "{{Participant|Bola Participant}}\n",
    )
    revisions = editor.history(history.title)[:2]
    assert [r["revid"] for r in revisions] == [newest, signed]
    before = farm.request_counts()["metawiki"]
    dating = date_signups(
        bot,
        history.title,
        ["Bola Participant"],
        names_in,
        latest_timestamp=revisions[0]["timestamp"],
        latest_parentid=signed,
        latest_revid=newest,
        since_revid=history.revids[-1],
    )
    assert dating.dates["Bola Participant"].revid == signed
    assert dating.dates["Bola Participant"].timestamp == parse_timestamp(revisions[1]["timestamp"])
    assert dating.requests == 2 == farm.request_counts()["metawiki"] - before
    assert dating.revisions_listed == 3  # the last processed one and the two since


@pytest.mark.parametrize("since", ["another page's revision", "no such revision"])
def test_a_last_processed_revision_not_in_the_history_falls_back_to_all_of_it(bot, history, since):
    other = bot.api(action="query", prop="revisions", titles="Main Page", formatversion="2")
    since_revid = (
        other["query"]["pages"][0]["revisions"][0]["revid"]
        if since == "another page's revision"
        else 987_654_321
    )
    name = min(history.added_at, key=history.added_at.get)
    dating = dated(bot, history, {name}, since_revid=since_revid)
    assert dating.dates[name].revid == history.revid_of(name)
    assert dating.listing_requests == 2  # the bounded listing, then the whole history
