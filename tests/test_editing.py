"""Saving pages without losing human edits, against the real local wikis.

Tests that take ``editor`` run twice, once as the bot and once as an organizer
(tests/safe_edit_support.py): both save through the one edit core.
"""

from __future__ import annotations

import pytest

from campaignkit.locks import PageBusy, PageLocks
from campaignkit.stop_page import stop_page_title, stop_reason
from campaignkit.wiki.batch import read_text, read_texts
from campaignkit.wiki.editing import EditOutcome, EditRequest, apply_edit
from tests import safe_edit_support

pytestmark = pytest.mark.wiki
editor = safe_edit_support.editor  # the fixture: the bot, then an organizer

BEGIN, END = "<!-- bot:begin -->", "<!-- bot:end -->"


def page_with_region(region: str) -> str:
    return (
        f"Intro by a human.\n\n== Sign up ==\n{BEGIN}\n{region}\n{END}\n\n"
        "== Notes ==\nhuman notes\n"
    )


def set_region(value: str):
    """A transform that rewrites only the text between the markers."""

    def transform(page):
        head, rest = page.text.split(BEGIN, 1)
        _old, tail = rest.split(END, 1)
        return f"{head}{BEGIN}\n{value}\n{END}{tail}"

    return transform


def region_is(value: str):
    return lambda text: f"{BEGIN}\n{value}\n{END}" in text


def test_create_then_unchanged_makes_one_revision(editor, unique_title, human):
    title = unique_title("Edit create")
    request = EditRequest(title, lambda page: page_with_region("rows v1"), "test: create")
    created = editor.edit("metawiki", request)
    assert created.outcome is EditOutcome.CREATED, created.reason
    again = editor.edit("metawiki", EditRequest(title, set_region("rows v1"), "test: same"))
    assert again.outcome is EditOutcome.UNCHANGED
    assert [r["user"] for r in human().history(title)] == [editor.username]


def test_human_edit_in_same_section_between_read_and_save_survives(
    editor, farm, unique_title, human
):
    title = unique_title("Edit conflict")
    ada = human("metawiki", "Ada Organizer")
    ada.edit(title, page_with_region("rows v1"))
    stale = read_text(farm.hub, title)
    # Ada edits the line right after the region while the bot is computing.
    ada.edit(title, stale.text.replace("human notes", "human notes, edited by Ada"))
    ada.edit(title, ada.text(title).replace("== Sign up ==\n", "== Sign up ==\nAda's line\n"))
    result = editor.edit(
        "metawiki",
        EditRequest(
            title, set_region("rows v2"), "test: update", verify=region_is("rows v2"), current=stale
        ),
    )
    assert result.outcome is EditOutcome.SAVED, result.reason
    final = ada.text(title)
    assert "Ada's line" in final
    assert "human notes, edited by Ada" in final
    assert region_is("rows v2")(final)
    assert result.conflicts >= 1 or result.merged
    assert ada.history(title)[0]["user"] == editor.username


def test_human_edit_elsewhere_is_merged_and_verified(editor, farm, unique_title, human):
    title = unique_title("Edit merge")
    ada = human("metawiki", "Ada Organizer")
    ada.edit(title, page_with_region("rows v1") + "\n" + "\n".join(f"para {i}" for i in range(30)))
    stale = read_text(farm.hub, title)
    ada.edit(title, stale.text.replace("para 29", "para 29 (Ada)"))
    result = editor.edit(
        "metawiki",
        EditRequest(
            title, set_region("rows v2"), "test: update", verify=region_is("rows v2"), current=stale
        ),
    )
    assert result.outcome is EditOutcome.SAVED, result.reason
    assert result.merged and result.conflicts == 0  # merged silently, so read back
    final = ada.text(title)
    assert "para 29 (Ada)" in final
    assert region_is("rows v2")(final)
    assert result.text == final


def test_nobots_and_bots_deny_are_respected(farm, unique_title, human):
    ada = human("yowiki", "Ada Organizer")
    for marker in ("{{nobots}}", "{{bots|deny=CampaignBot}}", "{{bots|deny=all}}"):
        title = unique_title("Nobots")
        ada.edit(title, page_with_region("rows v1") + marker)
        result = apply_edit(farm["yowiki"], EditRequest(title, set_region("x"), "test"))
        assert result.outcome is EditOutcome.SKIPPED
        assert "nobots" in result.reason
        assert len(ada.history(title)) == 1
    allowed = unique_title("Bots allow")
    ada.edit(allowed, page_with_region("rows v1") + "{{bots|allow=CampaignBot}}")
    assert apply_edit(farm["yowiki"], EditRequest(allowed, set_region("x"), "t")).wrote


def test_dry_run_shows_a_diff_and_writes_nothing(editor, unique_title, human):
    title = unique_title("Dry run")
    ada = human()
    ada.edit(title, page_with_region("rows v1"))
    result = editor.edit("metawiki", EditRequest(title, set_region("rows v2"), "t"), dry_run=True)
    assert result.outcome is EditOutcome.DRY_RUN
    assert "-rows v1\n+rows v2\n" in result.diff
    assert len(ada.history(title)) == 1


def test_deleted_page_is_not_recreated(editor, farm, unique_title, human):
    title = unique_title("Deleted")
    ada = human()
    ada.edit(title, page_with_region("rows v1"))
    stale = read_text(farm.hub, title)
    admin = human("metawiki", "Admin")
    answer = admin.post(action="delete", title=title, token=admin.csrf())
    assert "delete" in answer, answer
    result = editor.edit(
        "metawiki", EditRequest(title, set_region("rows v2"), "t", create=False, current=stale)
    )
    assert result.outcome is EditOutcome.SKIPPED
    assert "deleted" in result.reason or "does not exist" in result.reason
    assert read_text(farm.hub, title).exists is False


def test_batched_read_costs_one_request_per_500_titles(farm, unique_title, human):
    ada = human()
    titles = [unique_title("Batch") for _ in range(3)]
    for title in titles:
        ada.edit(title, f"text of {title}")
    missing = unique_title("Missing")
    before = farm.request_counts()["metawiki"]
    pages = read_texts(farm.hub, [*titles, missing, titles[0].replace(" ", "_")])
    assert farm.request_counts()["metawiki"] - before == 1
    assert [pages[t].text for t in titles] == [f"text of {t}" for t in titles]
    assert pages[missing].exists is False
    assert pages[titles[0].replace(" ", "_")].text == f"text of {titles[0]}"


def test_stop_page_stops_writes(farm, settings, human):
    title = stop_page_title(settings)
    assert title == "User:CampaignBot/Stop"
    ada = human("yowiki", "Ada Organizer")
    ada.edit(title, "stop: fixing a bug")
    assert "stopped by [[User:CampaignBot/Stop]] on yowiki" in stop_reason(farm["yowiki"], settings)
    ada.edit(title, " Run \n")
    assert stop_reason(farm["yowiki"], settings) is None


def test_page_lock_excludes_a_second_holder_and_expires(redis_url):
    locks = PageLocks.from_url(redis_url, "campaignkit-test", ttl=30, wait=0.1)
    other = PageLocks.from_url(redis_url, "campaignkit-test", ttl=30, wait=0.1)
    with locks.hold("metawiki", "Some page"), pytest.raises(PageBusy):  # noqa: SIM117
        with other.hold("metawiki", "Some page"):
            pass
    with other.hold("metawiki", "Some page"):
        pass
    short = PageLocks.from_url(redis_url, "campaignkit-test", ttl=0.2, wait=0)
    lock = short.client.lock(short.key("metawiki", "Crashed"), timeout=0.2)
    assert lock.acquire()  # a worker that crashed and never released
    assert short.client.pttl(short.key("metawiki", "Crashed")) <= 200
