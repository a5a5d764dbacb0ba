"""The wiki access layer against the real local wikis."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.wiki


@pytest.mark.parametrize("wiki_id", ["metawiki", "yowiki"])
def test_bot_logs_in_and_edits_each_wiki(farm, wiki_id, unique_title):
    connection = farm[wiki_id]
    connection.login()
    connection.check_rights()
    assert "bot" in connection.groups()
    title = unique_title("Layer edit")
    page = connection.page(title)
    page.text = "Written through the campaignkit wiki layer."
    page.save(summary="campaignkit test edit")
    revisions = connection.api(
        action="query",
        prop="revisions",
        titles=title,
        rvprop="user|content|flags",
        rvslots="main",
        formatversion="2",
    )
    revision = revisions["query"]["pages"][0]["revisions"][0]
    assert revision["user"] == "CampaignBot"
    assert revision["slots"]["main"]["content"] == "Written through the campaignkit wiki layer."
    assert revision.get("bot", True)


def test_language_link_from_hub_to_local_wiki(farm, unique_title):
    local_title = unique_title("Àyíká")
    hub_title = unique_title("Climate")
    local = farm["yowiki"].page(local_title)
    local.text = f"Ojú-ìwé àyíká. [[en:{hub_title}]]"
    local.save(summary="campaignkit test: language link")
    hub = farm.hub.page(hub_title)
    hub.text = f"Climate page. [[yo:{local_title}]]"
    hub.save(summary="campaignkit test: language link")
    answer = farm.hub.api(action="query", prop="langlinks", titles=hub_title, formatversion="2")
    links = answer["query"]["pages"][0]["langlinks"]
    assert links == [{"lang": "yo", "title": local_title}]
    back = farm["yowiki"].api(
        action="query", prop="langlinks", titles=local_title, formatversion="2"
    )
    assert back["query"]["pages"][0]["langlinks"] == [{"lang": "en", "title": hub_title}]


def test_requests_are_counted_per_wiki(farm):
    # The counter counts every request of the process to a wiki; a background
    # refresh thread left by another test may add some, so measure until a
    # quiet window shows exactly the two made here (a broken count never does).
    deltas = []
    for _attempt in range(5):
        before = farm.request_counts()
        farm["yowiki"].api(action="query", meta="siteinfo")
        farm["yowiki"].api(action="query", meta="siteinfo", siprop="namespaces")
        after = farm.request_counts()
        deltas.append(after["yowiki"] - before["yowiki"])
        if deltas[-1] == 2:
            break
    assert deltas[-1] == 2, deltas
    assert min(deltas) >= 2


def test_requests_carry_maxlag_assert_and_user_agent(farm, settings, unique_title):
    from pywikibot.comms import http

    seen = []

    def remember(response, *args, **kwargs):
        seen.append(response.request)

    http.session.hooks["response"].append(remember)
    try:
        page = farm.hub.page(unique_title("Headers"))
        page.text = "headers"
        page.save(summary="campaignkit test: request parameters")
    finally:
        http.session.hooks["response"].remove(remember)
    edits = [
        r
        for r in seen
        if r.body and b"action=edit" in (r.body if isinstance(r.body, bytes) else r.body.encode())
    ]
    assert edits, "the save sent no action=edit request"
    body = edits[-1].body if isinstance(edits[-1].body, bytes) else edits[-1].body.encode()
    assert b"maxlag=5" in body
    assert b"assert=user" in body
    agent = edits[-1].headers["User-Agent"]
    assert agent.startswith("campaignkit/")
    assert settings.contact in agent
