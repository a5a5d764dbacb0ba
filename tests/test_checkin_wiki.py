"""Check-in and the waitlist through the webservice, against the real local wikis (HTTP level).

The browser on a phone-sized screen, with the wiki turning read-only halfway,
is tests/test_checkin_browser.py.
"""

from __future__ import annotations

import re

import pytest

from campaignkit.submissions import journal
from tests.test_web_wiki import ADA, BOLA
from tests.web_support import csrf_token, log_in

pytestmark = pytest.mark.wiki
pytest_plugins = ("tests.web_support",)
CHIDI = "Chidi Coordinator"


def event_text(capacity: int, signups: str) -> str:
    return (
        "{{Campaign event|campaign=Some campaign|name=Door test|start=2026-11-20 10:00"
        f"|end=2026-12-20 16:00|format=in-person|wiki=metawiki|organizers={ADA}"
        f"|capacity={capacity}}}}}\n\n== Sign up ==\n{signups}"
    )


def tap(client, url: str, user: str, query: str = ""):
    page = client.get(url)
    assert page.status_code == 200, page.text[:500]
    return client.post(url, data={"csrf_token": csrf_token(page.text), "user": user, "q": query})


def test_organizer_checks_in_sign_ups_and_walk_ins_once_each(
    client, web_settings, accounts, human, unique_title
):
    title = unique_title("Door event")
    ada_wiki = human("metawiki", ADA)
    ada_wiki.edit(
        title, event_text(5, f"* {{{{Participant|{BOLA}}}}}\n# [[User:{CHIDI}|Chidi]] 10:00\n")
    )
    log_in(client, ADA, accounts.users[ADA])
    url = f"/event/metawiki/{title}/checkin"

    page = client.get(url)
    assert page.status_code == 200
    assert f'data-user="{BOLA}"' in page.text and f'data-user="{CHIDI}"' in page.text
    assert "0 of 2 checked in" in page.text
    found = client.get(url, query_string={"q": "bola"})
    assert f'data-user="{BOLA}"' in found.text and f'data-user="{CHIDI}"' not in found.text

    done = tap(client, url, BOLA, "bola")
    assert done.status_code == 303 and done.headers["Location"].endswith("checkin?q=bola")
    assert f"{BOLA} is checked in." in client.get(done.headers["Location"]).text
    assert f"{{{{Participant|{BOLA}|attended=yes}}}}" in ada_wiki.text(title)

    again = tap(client, url, BOLA)  # the answer was lost; the organizer taps again
    assert again.status_code == 303
    marked = [r for r in ada_wiki.history(title) if "Checking in" in r["comment"]]
    assert len(marked) == 1  # one edit for Bola, whatever the taps
    rows = journal.recent(
        web_settings, kinds=("check-in",), since=journal.now().replace(year=2000), title=title
    )
    assert len(rows) == 1 and rows[0].status == journal.SAVED

    tap(client, url, CHIDI)  # signed up with a signature: gets a checked-in line
    tap(client, url, "admin")  # a walk-in by username, typed in lower case
    text = ada_wiki.text(title)
    assert f"{{{{Participant|{CHIDI}|attended=yes}}}}" in text
    assert "{{Participant|Admin|attended=yes}}" in text
    page = client.get(url).text
    assert "3 of 3 checked in" in page and page.count("✓ Checked in") == 3

    nobody = tap(client, url, "No Such Person Here")
    assert (
        "There is no account called No Such Person Here on metawiki."
        in client.get(nobody.headers["Location"]).text
    )
    assert "No Such Person Here" not in ada_wiki.text(title)


def test_only_organizers_may_check_in(client, accounts, human, unique_title):
    title = unique_title("Door event")
    human("metawiki", ADA).edit(title, event_text(5, f"{{{{Participant|{BOLA}}}}}\n"))
    log_in(client, BOLA, accounts.users[BOLA])
    url = f"/event/metawiki/{title}/checkin"
    assert client.get(url).status_code == 403
    event_page = client.get(f"/event/metawiki/{title}")
    refused = client.post(url, data={"csrf_token": csrf_token(event_page.text), "user": BOLA})
    assert refused.status_code == 403
    assert "attended" not in human("metawiki", ADA).text(title)


def test_one_click_sign_up_says_it_is_on_the_waitlist(client, accounts, human, unique_title):
    title = unique_title("Full event")
    human("metawiki", ADA).edit(title, event_text(1, f"{{{{Participant|{CHIDI}}}}}\n"))
    log_in(client, BOLA, accounts.users[BOLA])
    event_page = client.get(f"/event/metawiki/{title}")
    assert "1 place: 1 taken, 0 on the waitlist." in event_page.text
    signed = client.post(
        f"/event/metawiki/{title}/signup", data={"csrf_token": csrf_token(event_page.text)}
    )
    assert signed.status_code == 302
    shown = client.get(signed.headers["Location"]).text
    assert "The event is full, so you are on the waitlist, place 1" in shown
    assert re.search(r"You are on the waitlist, place 1\.", shown)
    assert "1 place: 1 taken, 1 on the waitlist." in shown
