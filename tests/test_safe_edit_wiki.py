"""The one edit core against the real local wikis, as the bot and as an organizer.

What an edit costs (requests counted at the HTTP session), JSON pages compared
as data, and every way a wiki fails — real (``maxlag``, a protected page, a
lost login) or put at the HTTP boundary in front of the real wiki (read-only,
HTTP 503, a reset connection, a timeout) — ending as a typed outcome, never as
an exception, with waits that honour ``Retry-After`` within the page's budget.
"""

from __future__ import annotations

import pytest
import requests

from campaignkit.wiki.batch import read_text
from campaignkit.wiki.edit_errors import ErrorKind
from campaignkit.wiki.organizer_editing import LOGIN, save
from campaignkit.wiki.organizer_session import OrganizerWiki
from campaignkit.wiki.safe_edit import EditOutcome, EditRequest
from tests import safe_edit_support
from tests.safe_edit_support import (
    FakeClock,
    api_error,
    broken,
    faults_on,
    http_error,
    set_line,
)

pytestmark = pytest.mark.wiki
editor = safe_edit_support.editor  # the fixture: the bot, then an organizer

LINES = "\n".join(f"line {i}" for i in range(12))


def test_a_plain_save_costs_one_request_more_than_its_read(editor, farm, unique_title, human):
    title = unique_title("Economy")
    ada = human()
    ada.edit(title, LINES)
    editor.edit("metawiki", EditRequest(title, set_line(0, "warm-up"), "t"))  # login, token
    before = editor.count("metawiki")
    result = editor.edit("metawiki", EditRequest(title, set_line(1, "read here"), "t"))
    assert result.outcome is EditOutcome.SAVED and not result.merged
    read_and_save = editor.count("metawiki") - before
    # the bot: read + edit; the organizer's transport also asks for its token
    assert read_and_save == (2 if editor.kind == "bot" else 3)
    if editor.kind == "bot":
        given = read_text(farm.hub, title)
        before = editor.count("metawiki")
        result = editor.edit(
            "metawiki", EditRequest(title, set_line(2, "given"), "t", current=given)
        )
        assert result.outcome is EditOutcome.SAVED
        assert editor.count("metawiki") - before == 1  # the edit alone: no read-back
    third = "given" if editor.kind == "bot" else "line 2"
    assert ada.text(title).split("\n")[:3] == ["warm-up", "read here", third]


def test_a_merge_costs_one_read_back(editor, unique_title, human):
    title = unique_title("Merge cost")
    ada = human()
    ada.edit(title, LINES)
    editor.edit("metawiki", EditRequest(title, set_line(0, "warm-up"), "t"))

    def transform(page):
        if "(Ada)" not in ada.text(title):  # Ada saves while the editor computes
            ada.edit(title, page.text.replace("line 11", "line 11 (Ada)"))
        return set_line(1, "ours")(page)

    before = editor.count("metawiki")
    result = editor.edit("metawiki", EditRequest(title, transform, "t"))
    assert result.outcome is EditOutcome.SAVED and result.merged and result.conflicts == 0
    assert editor.count("metawiki") - before == (3 if editor.kind == "bot" else 4)
    assert result.text == ada.text(title)
    assert "ours" in result.text and "line 11 (Ada)" in result.text


def test_json_pages_are_compared_as_data(editor, unique_title, human):
    title = unique_title("Data") + ".json"
    created = editor.edit(
        "metawiki",
        EditRequest(
            title, lambda page: '{"total": 3.0, "events": [1, true]}', "t", contentmodel="json"
        ),
    )
    assert created.outcome is EditOutcome.CREATED, created.reason
    stored = human().text(title)
    assert stored != '{"total": 3.0, "events": [1, true]}'  # MediaWiki normalized it
    before = editor.count("metawiki")
    same = editor.edit(
        "metawiki",
        EditRequest(title, lambda page: '{"events":[1,true],"total":3}', "t", contentmodel="json"),
    )
    assert same.outcome is EditOutcome.UNCHANGED
    assert editor.count("metawiki") - before == 1  # the read; nothing sent
    changed = editor.edit(
        "metawiki",
        EditRequest(title, lambda page: '{"events":[1,1],"total":3}', "t", contentmodel="json"),
    )
    assert changed.outcome is EditOutcome.SAVED
    assert len(human().history(title)) == 2


@pytest.fixture
def forget_retry_after(farm):
    """pywikibot's throttle keeps the last Retry-After for the next request, and the fake
    clock waited for nothing: let the next test start without five real seconds."""
    yield
    farm.hub.site.throttle.retry_after = 0


def test_maxlag_is_waited_for_as_the_wiki_asks_then_reported(
    editor, unique_title, human, forget_retry_after
):
    title = unique_title("Maxlag")
    ada = human()
    ada.edit(title, LINES)
    clock = FakeClock()
    # maxlag=-2 is more than a wiki without replicas lags (-1): the real wiki answers
    # "maxlag" with its Retry-After header, every time.
    request = EditRequest(title, set_line(0, "ours"), "t", extra={"maxlag": "-2"})
    editor.edit("metawiki", EditRequest(title, set_line(1, "warm-up"), "t"))  # login, token
    before = editor.count("metawiki")
    result = editor.edit("metawiki", request, policy=clock.policy(attempts=2, first_wait=1))
    assert (result.outcome, result.failure, result.code) == (
        EditOutcome.FAILED,
        ErrorKind.RETRY_LATER,
        "maxlag",
    )
    assert clock.waits == [5.0]  # MediaWiki's Retry-After, not our own first wait
    # two reads and two edits (and the organizer's token): no retries behind our back
    assert editor.count("metawiki") - before == (4 if editor.kind == "bot" else 5)
    assert result.wiki_unavailable and len(ada.history(title)) == 2


FAULTS = {
    "read-only": ([api_error("readonly")], ErrorKind.RETRY_LATER, "readonly"),
    "HTTP 503": ([http_error(503, {"Retry-After": "9"})], ErrorKind.RETRY_LATER, "http-503"),
    "connection reset": (
        [broken(requests.ConnectionError("Connection reset by peer"))],
        ErrorKind.RETRY_LATER,
        "unreachable",
    ),
    "timeout": ([broken(requests.ReadTimeout("read timed out"))], ErrorKind.RETRY_LATER, "timeout"),
    "ratelimited": ([api_error("ratelimited")], ErrorKind.RETRY_LATER, "ratelimited"),
    "login lost": ([], ErrorKind.LOGIN, "assert{}failed"),
    "abuse filter": (
        [api_error("abusefilter-disallowed")],
        ErrorKind.SKIP,
        "abusefilter-disallowed",
    ),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_wiki_in_trouble_is_an_outcome_not_an_exception(editor, unique_title, human, fault):
    faults, kind, code = FAULTS[fault]
    if kind is ErrorKind.LOGIN:  # what each account asserts: the bot right, or the user
        code = code.format("bot" if editor.kind == "bot" else "user")
        faults = [api_error(code)]
    title = unique_title("Trouble")
    ada = human()
    ada.edit(title, LINES)
    editor.edit("metawiki", EditRequest(title, set_line(0, "warm-up"), "t"))
    clock = FakeClock()
    with faults_on(editor, "metawiki", faults * 3) as injected:
        result = editor.edit(
            "metawiki",
            EditRequest(title, set_line(1, "ours"), "t"),
            policy=clock.policy(attempts=3),
        )
    assert (result.failure, result.code) == (kind, code), result.reason
    assert result.outcome is (EditOutcome.SKIPPED if kind is ErrorKind.SKIP else EditOutcome.FAILED)
    assert result.reason and "\n" not in result.reason
    assert len(ada.history(title)) == 2  # nothing saved
    if kind is ErrorKind.RETRY_LATER:
        assert injected.hit == 3 and clock.waits == (
            [9.0, 9.0] if code == "http-503" else [5.0, 10.0]
        )
    else:
        assert injected.hit == 1 and clock.waits == []


def test_a_wiki_back_from_maintenance_gets_the_edit(editor, unique_title, human):
    title = unique_title("Back")
    ada = human()
    ada.edit(title, LINES)
    clock = FakeClock()
    with faults_on(editor, "metawiki", [api_error("readonly"), http_error(502)]):
        result = editor.edit(
            "metawiki", EditRequest(title, set_line(0, "ours"), "t"), policy=clock.policy()
        )
    assert result.outcome is EditOutcome.SAVED, result.reason
    assert clock.waits == [5.0, 10.0] and result.attempts == 3
    assert ada.text(title).startswith("ours\n")


def test_a_protected_page_is_skipped_with_the_reason(editor, unique_title, human):
    title = unique_title("Protected")
    human().edit(title, LINES)
    admin = human("metawiki", "Admin")
    answer = admin.post(action="protect", title=title, protections="edit=sysop", token=admin.csrf())
    assert "protect" in answer, answer
    result = editor.edit("metawiki", EditRequest(title, set_line(0, "ours"), "t"))
    assert (result.outcome, result.failure, result.code) == (
        EditOutcome.SKIPPED,
        ErrorKind.SKIP,
        "protectedpage",
    )
    assert "protected" in result.reason


def test_an_expired_organizer_session_asks_to_log_in_again(settings, unique_title, human):
    title = unique_title("Logged out")
    human().edit(title, LINES)
    # The organizer's cookies are gone: reads still work, the edit asserts the user.
    api = OrganizerWiki(settings.wiki("metawiki"), requests.Session(), username="Chidi Coordinator")
    result = save(api, title, set_line(0, "ours"), "t")
    assert (result.outcome, result.key) == (LOGIN, "status-login-again")
    assert len(human().history(title)) == 1


def test_an_organizer_conflict_is_recomputed_through_save(
    farm, settings, accounts, unique_title, human
):
    organizer = safe_edit_support.Editor("organizer", farm, settings, accounts)
    title = unique_title("Organizer conflict")
    ada = human()
    ada.edit(title, LINES)
    stale = read_text(farm.hub, title)
    ada.edit(title, LINES.replace("line 2", "line 2 (Ada)"))  # next to the line we change
    result = save(organizer.api("metawiki"), title, set_line(1, "Chidi's"), "t", current=stale)
    assert result.done and result.conflicts == 1, result
    assert ada.text(title).split("\n")[1:3] == ["Chidi's", "line 2 (Ada)"]
    assert ada.history(title)[0]["user"] == organizer.username
