"""Sign-up dating against a page history served by a fake API (unit tests).

The fake answers ``prop=revisions`` as MediaWiki 1.39 does for what the dating
asks (listing by ``rvstartid``/``rvstart``/``rvendid`` with ``rvlimit=max`` and
continuation; texts by ``revids``, at most 50, with ``texthidden`` and a
response-size continuation) and refuses anything else, so a request the real
wiki would refuse fails here too. The same code against the real local wiki is
tests/test_signup_times_wiki.py.
"""

from __future__ import annotations

import logging
import math
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.sync.signup_times import (
    CONTENT_PER_REQUEST,
    date_signups,
    find_signup_times,
)

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
TITLE = "Event/Sign up"


class FakeApiError(Exception):
    """What pywikibot's APIError carries that the dating reads: the API's code."""

    def __init__(self, code: str, info: str) -> None:
        super().__init__(f"{code}: {info}")
        self.code = code


class FakeHistory:
    """One page's history (``texts`` oldest first) behind an ``api(**params)`` method."""

    def __init__(
        self,
        texts: list[str],
        *,
        hidden: set[int] = frozenset(),
        listing_limit: int = 5000,
        texts_per_response: int = CONTENT_PER_REQUEST,
    ) -> None:
        # Revision ids with gaps (other pages' edits), times a minute apart.
        self.revids = [1000 + 7 * i for i in range(len(texts))]
        self.times = [START + timedelta(minutes=i) for i in range(len(texts))]
        self.texts = dict(zip(self.revids, texts, strict=True))
        self.hidden = {self.revids[i] for i in hidden}
        self.listing_limit = listing_limit
        self.texts_per_response = texts_per_response
        self.calls: list[dict[str, str]] = []
        self.other_page_revid = 3  # a revision of another page

    def stamp(self, index: int) -> str:
        return self.times[index].strftime("%Y-%m-%dT%H:%M:%SZ")

    def api(self, **params: Any) -> dict[str, Any]:
        self.calls.append(params)
        assert params["action"] == "query" and params["prop"] == "revisions"
        assert params["formatversion"] == "2"
        if "revids" in params:
            return self._texts(params)
        return self._listing(params)

    @property
    def text_requests(self) -> list[dict[str, str]]:
        return [c for c in self.calls if "revids" in c]

    def _listing(self, params: dict[str, str]) -> dict[str, Any]:
        assert params["titles"] == TITLE and params["rvdir"] == "older"
        assert params["rvprop"] == "ids|timestamp" and params["rvlimit"] == "max"
        order = list(range(len(self.revids) - 1, -1, -1))  # newest first
        if "rvstartid" in params:
            order = [i for i in order if self.revids[i] <= int(params["rvstartid"])]
        if "rvstart" in params:
            order = [i for i in order if self.stamp(i) <= params["rvstart"]]
        if "rvendid" in params:
            end = int(params["rvendid"])
            if end == self.other_page_revid:
                return {"query": {"pages": [{"title": TITLE}]}}
            if end not in self.revids:
                raise FakeApiError(
                    "badid_rvendid", 'No revision was found for parameter "rvendid".'
                )
            order = [i for i in order if self.revids[i] >= end]
        if "rvcontinue" in params:
            order = [i for i in order if self.revids[i] <= int(params["rvcontinue"])]
        page = order[: self.listing_limit]
        answer: dict[str, Any] = {
            "query": {
                "pages": [
                    {
                        "title": TITLE,
                        "revisions": [
                            {"revid": self.revids[i], "timestamp": self.stamp(i)} for i in page
                        ],
                    }
                ]
            }
        }
        if len(order) > len(page):
            answer["continue"] = {
                "rvcontinue": str(self.revids[order[len(page)]]),
                "continue": "||",
            }
        return answer

    def _texts(self, params: dict[str, str]) -> dict[str, Any]:
        assert params["rvprop"] == "ids|content" and params["rvslots"] == "main"
        asked = sorted(int(r) for r in params["revids"].split("|"))
        if len(asked) > CONTENT_PER_REQUEST:
            raise FakeApiError("toomanyvalues", 'Too many values for "revids". The limit is 50.')
        if "rvcontinue" in params:
            asked = [r for r in asked if r >= int(params["rvcontinue"])]
        now, later = asked[: self.texts_per_response], asked[self.texts_per_response :]
        revisions = []
        for revid in now:
            main: dict[str, Any] = (
                {"texthidden": True} if revid in self.hidden else {"content": self.texts[revid]}
            )
            revisions.append({"revid": revid, "slots": {"main": main}})
        answer: dict[str, Any] = {"query": {"pages": [{"title": TITLE, "revisions": revisions}]}}
        if later:
            answer["continue"] = {"rvcontinue": str(later[0]), "continue": "||"}
        return answer


def names_in(text: str) -> set[str]:
    """One name a line, as ``* Name``."""
    return {line[2:] for line in text.splitlines() if line.startswith("* ")}


def history_texts(events: list[tuple[str, str]], length: int) -> list[str]:
    """Texts of ``length`` revisions; ``events`` maps some indices to "+Name"/"-Name" edits.

    Given as ``(index, change)`` pairs; every revision also changes a news line.
    """
    changes: dict[int, list[str]] = {}
    for index, change in events:
        changes.setdefault(int(index), []).append(change)
    present: list[str] = []
    texts = []
    for index in range(length):
        for change in changes.get(index, []):
            name = change[1:]
            if change[0] == "+" and name not in present:
                present.append(name)
            elif change[0] == "-" and name in present:
                present.remove(name)
        texts.append(f"News {index}\n" + "".join(f"* {n}\n" for n in present))
    return texts


def latest_addition(texts: list[str], name: str) -> int:
    """The oracle: the index of the revision that added ``name`` last."""
    index = len(texts) - 1
    while index > 0 and name in names_in(texts[index - 1]):
        index -= 1
    return index


def date(wiki: FakeHistory, pending: set[str], **options: Any):
    return date_signups(
        wiki,
        TITLE,
        pending,
        names_in,
        latest_timestamp=wiki.stamp(len(wiki.revids) - 1),
        latest_revid=wiki.revids[-1],
        latest_parentid=wiki.revids[-2] if len(wiki.revids) > 1 else 0,
        **options,
    )


def test_each_name_is_dated_by_the_revision_that_added_it_without_reading_every_text() -> None:
    chooser = random.Random(5)
    moments = sorted(chooser.sample(range(1, 5000), 30))
    texts = history_texts([(m, f"+Name {i}") for i, m in enumerate(moments)], 5000)
    wiki = FakeHistory(texts)
    dating = date(wiki, names_in(texts[-1]))
    assert {n: d.revid for n, d in dating.dates.items()} == {
        f"Name {i}": wiki.revids[m] for i, m in enumerate(moments)
    }
    assert all(d.exact for d in dating.dates.values())
    assert dating.dates["Name 0"].timestamp == wiki.times[moments[0]]
    # 5,000 revisions are listed in one request; far fewer texts than revisions are read.
    assert dating.listing_requests == 1
    assert dating.texts_read < 30 * 13 and dating.content_requests <= 20, dating


def test_one_edit_in_5000_revisions_costs_one_listing_and_a_few_text_requests() -> None:
    texts = history_texts([(1234, "+Ada"), (1234, "+Bola")], 5000)
    wiki = FakeHistory(texts)
    dating = date(wiki, {"Ada", "Bola"})
    assert {d.revid for d in dating.dates.values()} == {wiki.revids[1234]}
    # 16 probes a round split 5,000 revisions into 17 parts: 5000 -> 294 -> 17 -> 1.
    assert (dating.listing_requests, dating.content_requests) == (1, 3)
    assert dating.texts_read <= 3 * 16


def test_a_scheduled_run_reads_only_the_revisions_since_the_last_processed_one() -> None:
    texts = history_texts([(100, "+Old"), (4995, "+Ada"), (4997, "+Bola")], 5000)
    wiki = FakeHistory(texts)
    dating = date(wiki, {"Ada", "Bola"}, since_revid=wiki.revids[4990])
    assert dating.dates["Ada"].revid == wiki.revids[4995]
    assert dating.dates["Bola"].revid == wiki.revids[4997]
    assert dating.requests == 2
    assert wiki.calls[0]["rvendid"] == str(wiki.revids[4990])
    assert dating.revisions_listed == 10
    texts_asked = {int(r) for c in wiki.text_requests for r in c["revids"].split("|")}
    assert min(texts_asked) == wiki.revids[4990]


def test_a_name_already_there_at_the_last_processed_revision_is_found_in_the_older_history() -> (
    None
):
    # The table lost its time (a hand edit): the name is pending although it is old.
    texts = history_texts([(700, "+Old"), (4995, "+Ada")], 5000)
    wiki = FakeHistory(texts)
    dating = date(wiki, {"Ada", "Old"}, since_revid=wiki.revids[4990])
    assert dating.dates["Old"].revid == wiki.revids[700]
    assert dating.dates["Ada"].revid == wiki.revids[4995]
    assert all(d.exact for d in dating.dates.values())


@pytest.mark.parametrize("since", ["gone", "other page"])
def test_a_last_processed_revision_not_in_this_history_means_the_whole_history(since) -> None:
    texts = history_texts([(300, "+Ada")], 600)
    wiki = FakeHistory(texts)
    since_revid = 999_999 if since == "gone" else wiki.other_page_revid
    dating = date(wiki, {"Ada"}, since_revid=since_revid)
    assert dating.dates["Ada"].revid == wiki.revids[300]
    assert dating.dates["Ada"].exact


def test_a_removed_and_added_again_name_counts_from_its_latest_addition_since_the_last_run():
    texts = history_texts([(10, "+Ada"), (4000, "-Ada"), (4993, "+Ada")], 5000)
    wiki = FakeHistory(texts)
    dating = date(wiki, {"Ada"}, since_revid=wiki.revids[4100])
    assert dating.dates["Ada"].revid == wiki.revids[4993]


def test_the_bound_dates_the_rest_no_later_than_the_first_revision_seen_with_them(caplog):
    chooser = random.Random(9)
    moments = sorted(chooser.sample(range(1, 5000), 400))
    texts = history_texts([(m, f"+Name {i}") for i, m in enumerate(moments)], 5000)
    wiki = FakeHistory(texts)
    with caplog.at_level(logging.WARNING, logger="bot.sync.signup_times"):
        dating = date(wiki, names_in(texts[-1]), max_content_requests=8)
    assert len(wiki.text_requests) == 8
    assert len(dating.dates) == 400 and dating.estimated
    for i, moment in enumerate(moments):
        found = dating.dates[f"Name {i}"]
        index = wiki.revids.index(found.revid)
        assert f"Name {i}" in names_in(texts[index])  # the name was there by then
        assert index >= moment
        if found.exact:
            assert index == moment
    assert f"{len(dating.estimated)} sign-ups dated no later than" in caplog.text


def test_a_hidden_revision_is_never_the_one_that_dates_a_name() -> None:
    texts = history_texts([(500, "+Ada")], 1000)
    wiki = FakeHistory(texts, hidden={500, 501, 700})
    dating = date(wiki, {"Ada"})
    # Ada came in at 500, whose text nobody may read: the earliest readable
    # revision with her name is 502, and the search sees no gap before it.
    assert dating.dates["Ada"].revid == wiki.revids[502]


def test_listing_and_texts_follow_the_api_continuation() -> None:
    texts = history_texts([(3, "+Ada"), (1200, "+Bola")], 1300)
    wiki = FakeHistory(texts, listing_limit=500, texts_per_response=7)
    dating = date(wiki, {"Ada", "Bola"}, probes_per_round=30)
    assert dating.dates["Ada"].revid == wiki.revids[3]
    assert dating.dates["Bola"].revid == wiki.revids[1200]
    assert dating.listing_requests == 3
    assert any("rvcontinue" in c for c in wiki.text_requests)


def test_a_page_with_one_revision_costs_no_request() -> None:
    wiki = FakeHistory(["* Ada\n"])
    assert find_signup_times(
        wiki, TITLE, ["Ada"], names_in, latest_timestamp=wiki.stamp(0), latest_parentid=0
    ) == {"Ada": wiki.times[0]}
    assert wiki.calls == []


def test_the_old_call_without_revision_ids_starts_at_the_latest_timestamp() -> None:
    # The caller passes the text of revision 800; two more edits came in since.
    texts = history_texts([(400, "+Ada"), (801, "-Ada")], 802)
    wiki = FakeHistory(texts)
    times = find_signup_times(
        wiki, TITLE, ["Ada"], names_in, latest_timestamp=wiki.stamp(800), latest_parentid=1
    )
    assert times == {"Ada": wiki.times[400]}
    assert wiki.calls[0]["rvstart"] == wiki.stamp(800)


@settings(max_examples=60, deadline=None)
@given(
    length=st.integers(2, 1500),
    additions=st.lists(st.tuples(st.integers(1, 1499), st.integers(0, 20)), max_size=40),
    removals=st.lists(st.tuples(st.integers(1, 1499), st.integers(0, 20)), max_size=10),
    since_back=st.one_of(st.none(), st.integers(0, 60)),
)
def test_dating_agrees_with_reading_every_revision(length, additions, removals, since_back):
    """Without removals the date is exact; with them it is always an addition of the name."""
    events = [(i, f"+N{n}") for i, n in additions if i < length]
    events += [(i, f"-N{n}") for i, n in removals if i < length]
    texts = history_texts([(0, "+First"), *events], length)
    wiki = FakeHistory(texts)
    pending = names_in(texts[-1])
    since = None
    if since_back is not None and since_back < length:
        since = wiki.revids[length - 1 - since_back]
        pending -= names_in(texts[length - 1 - since_back])  # the table holds those
    dating = date(wiki, pending, since_revid=since)
    assert set(dating.dates) == pending
    for name, found in dating.dates.items():
        index = wiki.revids.index(found.revid)
        assert found.exact
        assert name in names_in(texts[index])
        assert index == 0 or name not in names_in(texts[index - 1])
        if not removals:
            assert index == latest_addition(texts, name), name
    # Every round at least halves every open bracket, in one request (fewer than 50 groups).
    assert dating.content_requests <= math.ceil(math.log2(length)) + 1
