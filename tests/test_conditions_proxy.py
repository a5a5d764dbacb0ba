"""Wikimedia's conditions, imposed by the proxy in front of the real local wikis.

Each fault is observed twice: by a plain ``requests`` client (the exact answer:
status, headers, error object) and by pywikibot through campaignkit's WikiFarm (what
it does about it: retries, and the exception it ends in). What pywikibot 11.9 raises is
written in the test names and in README.md ("Wikimedia's conditions in tests").
"""

from __future__ import annotations

import http.client
import json
import os
import select
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
import requests

from campaignkit.devwiki.conditions_proxy import (
    ConditionsProxy,
    Fault,
    ProxyCounts,
    ProxyError,
    write_proxied_config,
)
from tests.human import HumanEditor
from tests.safe_edit_support import FakeClock

pytestmark = pytest.mark.wiki
# proxied_wikis, proxied_farm, proxy_in_front
pytest_plugins = ["tests.proxy_support"]

ADA = "Ada Organizer"
BOLA = "Bola Participant"
RATELIMITED_INFO = "You've exceeded your rate limit. Please wait some time and try again."


class ManualClock:
    """A monotonic clock a test moves by hand, to step over an interval exactly."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def person(proxy: ConditionsProxy, accounts, name: str = ADA) -> HumanEditor:
    """A person logged in through the proxy (the login's cookies pass through it)."""
    return HumanEditor(proxy.api_url, name, accounts.users[name])


def post(editor: HumanEditor, **params) -> requests.Response:
    """A raw POST through the editor's session: the whole answer, headers included."""
    return editor.session.post(editor.api_url, data={"format": "json", **params}, timeout=(5, 30))


def edit(editor: HumanEditor, title: str, text: str, **params) -> requests.Response:
    return post(editor, action="edit", title=title, text=text, token=editor.csrf(), **params)


def read(editor: HumanEditor, **params) -> requests.Response:
    return editor.session.get(
        editor.api_url,
        params={"format": "json", "action": "query", "meta": "siteinfo", **params},
        timeout=(5, 30),
    )


def real_docref(wiki) -> str:
    """The help text the real wiki puts in its own errors, to compare the proxy's with."""
    answer = requests.get(
        wiki.api_url, params={"action": "query", "assert": "user", "format": "json"}, timeout=30
    ).json()
    assert answer["error"]["code"] == "assertuserfailed"
    return answer["error"]["*"]


def save(farm, wiki_id: str, title: str, text: str) -> None:
    """What a pywikibot script does: Page.text = ...; Page.save()."""
    page = farm[wiki_id].page(title)
    page.text = text
    page.save(summary="conditions proxy test")


def save_error(farm, wiki_id: str, title: str, text: str) -> BaseException:
    """What a failed Page.save ends in: pywikibot wraps the cause in OtherPageSaveError."""
    from pywikibot.exceptions import OtherPageSaveError

    with pytest.raises(OtherPageSaveError) as raised:
        save(farm, wiki_id, title, text)
    assert isinstance(raised.value.reason, BaseException), raised.value.reason
    return raised.value.reason


def api_edit(farm, wiki_id: str, title: str, text: str) -> dict:
    """An edit through campaignkit's own request path (WikiConnection.api)."""
    connection = farm[wiki_id]
    return connection.api(
        action="edit", title=title, text=text, token=connection.site.tokens["csrf"]
    )


# -- passing through -----------------------------------------------------------------


def test_logins_cookies_bodies_and_index_php_pass_through(
    proxied_wikis, accounts, devwiki_layout, unique_title
):
    proxy = proxied_wikis["metawiki"]
    ada = person(proxy, accounts)  # clientlogin through the proxy: its cookies pass
    title = unique_title("Proxy pass")
    assert edit(ada, title, "first, ü ‎ {{x}}").json()["edit"]["result"] == "Success"
    fields = {
        "action": "edit",
        "format": "json",
        "title": title,
        "text": "second",
        "token": ada.csrf(),
    }
    multipart = ada.session.post(
        proxy.api_url, files={k: (None, v) for k, v in fields.items()}, timeout=30
    )
    assert multipart.json()["edit"]["result"] == "Success"
    as_xml = {"action": "edit", "format": "xml", "title": title, "appendtext": " & last"}
    xml = ada.session.post(proxy.api_url, data={**as_xml, "token": ada.csrf()}, timeout=30)
    assert '<edit result="Success"' in xml.text
    raw = ada.session.get(
        f"{proxy.url}/index.php", params={"title": title, "action": "raw"}, timeout=30
    )
    assert raw.status_code == 200 and raw.text == "second & last"
    direct = HumanEditor(devwiki_layout.hub.api_url, BOLA, accounts.users[BOLA])
    assert direct.text(title) == "second & last"
    assert [r["user"] for r in direct.history(title)] == [ADA, ADA, ADA]

    counts = proxy.counts()
    assert counts.edits_by_title == Counter({title: 3})
    assert counts.edits_by_account == Counter({ADA: 3})
    assert counts.requests["clientlogin"] == 1
    assert counts.requests["/index.php"] == 1
    assert counts.requests == counts.forwarded  # nothing refused, and lookups not counted
    assert counts.faults == Counter()


def test_chunked_bodies_and_head_requests_pass_through(proxied_wikis, devwiki_layout):
    proxy = proxied_wikis["metawiki"]
    connection = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=30)
    connection.request(
        "POST",
        "/api.php",
        body=iter([b"action=query&meta=siteinfo", b"&format=json"]),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        encode_chunked=True,
    )
    answer = connection.getresponse()
    assert answer.status == 200
    assert json.loads(answer.read())["query"]["general"]["sitename"] == devwiki_layout.hub.sitename
    connection.request("HEAD", "/index.php?title=Main_Page")  # the same connection: keep-alive
    head = connection.getresponse()
    assert head.status == 200 and head.read() == b""
    connection.request("GET", "/api.php?action=query&meta=siteinfo&format=json")
    assert connection.getresponse().status == 200  # the connection survived the HEAD
    assert proxy.counts().requests == Counter({"query": 2, "/index.php": 1})


def test_a_wiki_that_does_not_answer_is_a_502_and_counted(proxy_in_front):
    from campaignkit.devwiki.layout import LocalWiki

    nobody = LocalWiki("nowiki", "en", "Nobody", 9, False, Path("/nonexistent"))
    proxy = proxy_in_front(nobody)  # port 9 (discard): nothing listens on loopback
    answer = requests.get(proxy.api_url, params={"action": "query"}, timeout=30)
    assert answer.status_code == 502 and "did not answer" in answer.text
    assert proxy.counts().upstream_errors == 1


def test_only_loopback_wikis_and_valid_faults_are_accepted():
    with pytest.raises(ProxyError, match="loopback"):
        ConditionsProxy("http://192.0.2.1/api.php")
    with pytest.raises(ProxyError, match="loopback"):
        ConditionsProxy("http://example.org/api.php")
    with pytest.raises(ProxyError, match="unknown fault kind"):
        Fault("slow")  # type: ignore[arg-type]
    with pytest.raises(ProxyError, match="share"):
        Fault("http503", share=1.5)
    with pytest.raises(ProxyError, match="unknown fault field"):
        Fault.from_dict({"kind": "readonly", "cuont": 3})


# -- rate limit ----------------------------------------------------------------------


def test_rate_limit_refuses_an_account_that_edits_faster_than_the_interval(
    proxy_in_front, devwiki_layout, accounts, unique_title
):
    clock = ManualClock()
    proxy = proxy_in_front(devwiki_layout.hub, time_scale=1.0, clock=clock)
    proxy.limit_rate(10)
    ada, bola = person(proxy, accounts, ADA), person(proxy, accounts, BOLA)
    title = unique_title("Rate")
    assert edit(ada, title, "one").json()["edit"]["result"] == "Success"

    refused = edit(ada, title, "two")
    assert refused.status_code == 200
    assert refused.headers["MediaWiki-API-Error"] == "ratelimited"
    assert refused.json() == {
        "error": {
            "code": "ratelimited",
            "info": RATELIMITED_INFO,
            "*": real_docref(devwiki_layout.hub),
        }
    }
    # another account is not slowed down by Ada's edits
    assert edit(bola, title, "bola").json()["edit"]["result"] == "Success"
    clock.advance(9)
    # a refused edit does not restart the interval, an accepted one does
    assert edit(ada, title, "two").json()["error"]["code"] == "ratelimited"
    clock.advance(1)
    assert edit(ada, title, "two").json()["edit"]["result"] == "Success"
    # reads are never rate limited
    assert "error" not in read(ada).json()

    counts = proxy.counts()
    assert counts.faults == Counter({"ratelimited": 2})
    assert counts.edits_by_account == Counter({ADA: 2, BOLA: 1})
    assert counts.edits_by_title == Counter({title: 3})
    assert counts.requests["edit"] == 5 and counts.forwarded["edit"] == 3


def test_the_edit_log_lists_each_save_in_order_with_its_time_and_account(
    proxy_in_front, devwiki_layout, accounts, unique_title
):
    clock = ManualClock()
    proxy = proxy_in_front(devwiki_layout.hub, time_scale=1.0, clock=clock)
    proxy.limit_rate(10)
    ada, bola = person(proxy, accounts, ADA), person(proxy, accounts, BOLA)
    first, second = unique_title("Log"), unique_title("Log")
    assert edit(ada, first, "one").json()["edit"]["result"] == "Success"
    clock.advance(3)
    assert edit(bola, second, "two").json()["edit"]["result"] == "Success"
    # neither a refused edit nor one that changes nothing is a save
    assert edit(ada, second, "three").json()["error"]["code"] == "ratelimited"
    clock.advance(10)
    assert "nochange" in edit(ada, first, "one").json()["edit"]
    clock.advance(10)
    assert edit(ada, second, "three").json()["edit"]["result"] == "Success"

    counts = proxy.counts()
    assert counts.edit_log == (
        (1000.0, ADA, first),
        (1003.0, BOLA, second),
        (1023.0, ADA, second),
    )
    assert Counter(title for _, _, title in counts.edit_log) == counts.edits_by_title
    # through the control endpoint's JSON and back
    assert ProxyCounts.from_dict(json.loads(json.dumps(counts.to_dict()))) == counts
    proxy.reset_counts()
    assert proxy.counts().edit_log == ()


def test_time_scale_makes_thirty_wiki_seconds_per_edit_last_three_tenths(
    proxied_wikis, accounts, unique_title
):
    proxy = proxied_wikis["metawiki"]  # time_scale 0.01
    proxy.limit_rate(30)
    ada = person(proxy, accounts)
    titles = [unique_title("Scaled") for _ in range(3)]
    started = time.monotonic()
    for title in titles:
        deadline = time.monotonic() + 20
        while edit(ada, title, "scaled").json().get("edit", {}).get("result") != "Success":
            assert time.monotonic() < deadline, "the rate limit never let the edit through"
    elapsed = time.monotonic() - started
    assert elapsed >= 2 * 30 * 0.01  # two full intervals between three edits
    assert proxy.counts().edits_by_title == Counter(dict.fromkeys(titles, 1))


def test_pywikibot_waits_out_ratelimited_and_ends_in_api_timeout_error(
    proxied_wikis, proxied_farm, unique_title
):
    from pywikibot.exceptions import ApiTimeoutError

    proxy = proxied_wikis["metawiki"]
    fault = proxy.inject("ratelimited", count=1, actions={"edit"})
    title = unique_title("Pwb rate")
    save(proxied_farm, "metawiki", title, "saved after a wait")
    counts = proxy.counts()
    assert fault.fired == 1
    assert counts.requests["edit"] == 2 and counts.forwarded["edit"] == 1
    assert counts.edits_by_title == Counter({title: 1})
    assert counts.edits_by_account == Counter({"CampaignBot": 1})

    proxy.inject("ratelimited", actions={"edit"})
    assert type(save_error(proxied_farm, "metawiki", title, "never")) is ApiTimeoutError
    assert proxy.counts().edits_by_title == Counter({title: 1})


# -- maxlag --------------------------------------------------------------------------


def test_maxlag_answers_like_mediawiki_when_lag_exceeds_the_requests_maxlag(
    proxied_wikis, accounts, devwiki_layout
):
    proxy = proxied_wikis["yowiki"]
    ada = person(proxy, accounts)
    proxy.inject("maxlag", lag=7)

    lagged = read(ada, maxlag="5")
    assert lagged.status_code == 200
    assert lagged.headers["MediaWiki-API-Error"] == "maxlag"
    assert lagged.headers["Retry-After"] == "5"
    assert lagged.headers["X-Database-Lag"] == "7"
    assert lagged.json() == {
        "error": {
            "code": "maxlag",
            "info": "Waiting for a database server: 7 seconds lagged.",
            "host": "127.0.0.1",
            "lag": 7.0,
            "type": "db",
            "*": real_docref(devwiki_layout.wiki("yowiki")),
        }
    }
    modern = read(ada, maxlag="5", errorformat="plaintext", formatversion="2").json()
    assert modern["errors"] == [
        {
            "code": "maxlag",
            "text": "Waiting for a database server: 7 seconds lagged.",
            "data": {"host": "127.0.0.1", "lag": 7.0, "type": "db"},
            "module": "main",
        }
    ]
    assert "docref" in modern
    assert "error" not in read(ada, maxlag="10").json()  # lag is within what it accepts
    assert "error" not in read(ada).json()  # no maxlag parameter, no maxlag error
    assert proxy.counts().faults == Counter({"maxlag": 2})


def test_maxlag_during_a_window_only(proxy_in_front, devwiki_layout, accounts):
    clock = ManualClock()
    proxy = proxy_in_front(devwiki_layout.hub, time_scale=1.0, clock=clock)
    ada = person(proxy, accounts)
    proxy.inject("maxlag", lag=12, host="db1234", starts_in=5, duration=60)
    assert "error" not in read(ada, maxlag="5").json()
    clock.advance(5)
    answer = read(ada, maxlag="5").json()["error"]
    assert answer["info"] == "Waiting for db1234: 12 seconds lagged."
    clock.advance(59)
    assert read(ada, maxlag="5").json()["error"]["code"] == "maxlag"
    clock.advance(1)
    assert "error" not in read(ada, maxlag="5").json()


def test_a_seeded_share_is_the_same_on_every_run(proxy_in_front, devwiki_layout):
    def outcomes(seed: int) -> list[bool]:
        proxy = proxy_in_front(devwiki_layout.hub, seed=seed)
        proxy.inject("maxlag", share=0.5)
        session = requests.Session()
        return [
            "error"
            in session.get(
                proxy.api_url,
                params={"action": "query", "titles": f"T{i}", "maxlag": 5, "format": "json"},
                timeout=30,
            ).json()
            for i in range(16)
        ]

    first, again, other = outcomes(1), outcomes(1), outcomes(2)
    assert first == again
    assert 0 < sum(first) < 16
    assert first != other


def test_pywikibot_waits_out_maxlag_and_ends_in_maxlag_timeout_error(
    proxied_wikis, proxied_farm, unique_title
):
    from pywikibot.exceptions import MaxlagTimeoutError

    proxy = proxied_wikis["metawiki"]
    # Retry-After 0: pywikibot would otherwise wait MediaWiki's 5 real seconds per answer
    proxy.inject("maxlag", lag=7, count=1, actions={"edit"}, retry_after=0)
    title = unique_title("Pwb lag")
    save(proxied_farm, "metawiki", title, "after one lag")
    assert proxy.counts().edits_by_title == Counter({title: 1})

    proxy.inject("maxlag", lag=7, actions={"edit"}, retry_after=0)
    assert type(save_error(proxied_farm, "metawiki", title, "never")) is MaxlagTimeoutError
    counts = proxy.counts()
    assert counts.faults["maxlag"] == 1 + 3  # pywikibot: max_retries (2) + 1 attempts
    assert counts.edits_by_title == Counter({title: 1})


# -- read-only -----------------------------------------------------------------------


def test_the_next_writes_on_one_wiki_answer_readonly_with_the_reason(
    proxied_wikis, accounts, unique_title
):
    yo, meta = proxied_wikis["yowiki"], proxied_wikis["metawiki"]
    fault = yo.inject("readonly", count=2, reason="Maintenance of s5")
    ada_yo, ada_meta = person(yo, accounts), person(meta, accounts)
    title = unique_title("Readonly")

    first = edit(ada_yo, title, "x")
    assert first.headers["MediaWiki-API-Error"] == "readonly"
    error = first.json()["error"]
    assert (error["code"], error["info"], error["readonlyreason"]) == (
        "readonly",
        "The wiki is currently in read-only mode.",
        "Maintenance of s5",
    )
    assert "error" not in read(ada_yo).json()  # reads go on during read-only
    assert edit(ada_meta, title, "x").json()["edit"]["result"] == "Success"  # other wiki
    version2 = edit(ada_yo, title, "x", formatversion="2").json()["error"]
    assert version2["code"] == "readonly" and "docref" in version2
    assert edit(ada_yo, title, "x").json()["edit"]["result"] == "Success"  # N was 2
    assert fault.fired == 2 and fault.remaining == 0
    assert yo.counts().edits_by_title == Counter({title: 1})
    assert meta.counts().edits_by_title == Counter({title: 1})


def test_pywikibot_save_in_a_readonly_window_ends_in_api_timeout_error(
    proxied_wikis, proxied_farm, unique_title
):
    from pywikibot.exceptions import APIError, ApiTimeoutError

    from campaignkit.wiki.errors import WikiUnreachable

    proxy = proxied_wikis["metawiki"]
    window = proxy.inject("readonly")  # from now until cleared
    title = unique_title("Pwb readonly")
    cause = save_error(proxied_farm, "metawiki", title, "not yet")
    assert type(cause) is ApiTimeoutError
    assert not isinstance(cause, APIError)  # catching APIError alone misses it
    counts = proxy.counts()
    assert counts.requests["edit"] == 3  # the save, then max_retries (2) retries
    assert counts.forwarded["edit"] == 0 and counts.faults == Counter({"readonly": 3})
    # campaignkit's request path reports the same as a wiki that does not answer
    with pytest.raises(WikiUnreachable):
        api_edit(proxied_farm, "metawiki", title, "not yet")
    window.clear()
    save(proxied_farm, "metawiki", title, "after the window")
    assert proxy.counts().edits_by_title == Counter({title: 1})


# -- HTTP 503, timeouts, resets -------------------------------------------------------


def test_http_503_on_the_next_request_then_service_again(proxied_wikis, accounts):
    proxy = proxied_wikis["metawiki"]
    ada = person(proxy, accounts)
    proxy.reset_counts()  # the login's requests are not this test's
    proxy.inject("http503", count=1)
    failed = read(ada)
    assert failed.status_code == 503
    assert failed.headers["Content-Type"].startswith("text/html")
    assert "Our servers are currently under maintenance" in failed.text
    assert read(ada).status_code == 200
    counts = proxy.counts()
    assert counts.faults == Counter({"http503": 1})
    assert counts.requests["query"] == 2 and counts.forwarded["query"] == 1


def test_pywikibot_retries_http_503_and_ends_in_api_timeout_error(
    proxied_wikis, proxied_farm, unique_title
):
    from pywikibot.exceptions import ApiTimeoutError

    proxy = proxied_wikis["metawiki"]
    proxy.inject("http503", count=2, actions={"edit"})
    title = unique_title("Pwb 503")
    save(proxied_farm, "metawiki", title, "after two 503s")  # 2 retries are enough
    assert proxy.counts().edits_by_title == Counter({title: 1})

    proxy.inject("http503", actions={"edit"})
    assert type(save_error(proxied_farm, "metawiki", title, "never")) is ApiTimeoutError
    assert proxy.counts().edits_by_title == Counter({title: 1})


def test_a_timeout_holds_the_connection_past_the_clients_timeout(proxied_wikis, accounts):
    proxy = proxied_wikis["metawiki"]
    ada = person(proxy, accounts)
    proxy.inject("timeout", count=1, hold=5)
    started = time.monotonic()
    with pytest.raises(requests.exceptions.ReadTimeout):
        ada.session.get(proxy.api_url, params={"action": "query", "format": "json"}, timeout=0.3)
    assert time.monotonic() - started < 4  # the client gave up, not the proxy
    assert "error" not in read(ada).json()
    assert proxy.counts().faults == Counter({"timeout": 1})


def test_a_timeout_after_the_save_loses_the_answer_not_the_edit(
    proxied_wikis, accounts, unique_title
):
    proxy = proxied_wikis["metawiki"]
    ada = person(proxy, accounts)
    title = unique_title("Lost answer")
    proxy.inject("timeout", count=1, hold=5, when="after", title=title)
    token = ada.csrf()
    with pytest.raises(requests.exceptions.ReadTimeout):
        ada.session.post(
            proxy.api_url,
            data={"action": "edit", "title": title, "text": "saved", "token": token},
            timeout=(5, 0.5),
        )
    assert ada.text(title) == "saved"
    counts = proxy.counts()
    assert counts.edits_by_title == Counter({title: 1})
    assert counts.edit_requests_by_title == Counter({title: 1})


def test_pywikibot_retries_a_save_whose_answer_timed_out_and_the_page_is_edited_once(
    proxied_wikis, proxied_farm, unique_title
):
    from pywikibot import config

    config.socket_timeout = (5, 0.5)  # put back after the test by the fixture
    proxy = proxied_wikis["metawiki"]
    title = unique_title("Pwb timeout")
    save(proxied_farm, "metawiki", title, "before")
    proxy.reset_counts()
    proxy.inject("timeout", count=1, hold=5, when="after", actions={"edit"})
    save(proxied_farm, "metawiki", title, "after")
    assert proxied_farm["metawiki"].page(title).get(force=True) == "after"
    counts = proxy.counts()
    assert counts.edit_requests_by_title == Counter({title: 2})  # the save and its retry
    assert counts.edits_by_title == Counter({title: 1})  # the retry changed nothing


def test_pywikibot_save_that_keeps_timing_out_ends_in_api_timeout_error(
    proxied_wikis, proxied_farm, unique_title
):
    from pywikibot import config
    from pywikibot.exceptions import ApiTimeoutError

    config.socket_timeout = (5, 0.3)  # put back after the test by the fixture
    proxy = proxied_wikis["metawiki"]
    proxy.inject("timeout", hold=3, actions={"edit"})
    title = unique_title("Pwb timeouts")
    assert type(save_error(proxied_farm, "metawiki", title, "never")) is ApiTimeoutError
    counts = proxy.counts()
    assert counts.faults == Counter({"timeout": 3}) and counts.forwarded["edit"] == 0


def test_wait_for_follows_a_client_in_another_thread(proxied_wikis, accounts, unique_title):
    proxy = proxied_wikis["metawiki"]
    ada = person(proxy, accounts)
    title = unique_title("Waited")
    writer = threading.Thread(target=ada.edit, args=(title, "from a thread"))
    writer.start()
    counts = proxy.wait_for(lambda c: c.edits_by_title[title] == 1, timeout=60)
    writer.join(timeout=60)
    assert counts.edits_by_account == Counter({ADA: 1})
    with pytest.raises(TimeoutError):
        proxy.wait_for(lambda c: c.edits_by_title[title] == 2, timeout=0.2)


def test_a_reset_drops_the_connection(proxied_wikis, accounts, unique_title):
    proxy = proxied_wikis["metawiki"]
    ada = person(proxy, accounts)
    proxy.inject("reset", count=1)
    with pytest.raises(requests.exceptions.ConnectionError):
        ada.session.get(proxy.api_url, params={"action": "query", "format": "json"}, timeout=5)
    assert "error" not in read(ada).json()
    assert proxy.counts().faults == Counter({"reset": 1})


def test_pywikibot_retries_after_a_reset_and_ends_in_api_timeout_error(
    proxied_wikis, proxied_farm, unique_title
):
    from pywikibot.exceptions import ApiTimeoutError

    proxy = proxied_wikis["yowiki"]
    proxy.inject("reset", count=1, actions={"edit"})
    title = unique_title("Pwb reset")
    save(proxied_farm, "yowiki", title, "after a reset")
    counts = proxy.counts()
    assert counts.faults == Counter({"reset": 1})
    assert counts.edits_by_title == Counter({title: 1})

    proxy.inject("reset", actions={"edit"})
    assert type(save_error(proxied_farm, "yowiki", title, "never")) is ApiTimeoutError
    assert proxy.counts().faults == Counter({"reset": 1 + 3})


# -- tokens and sessions --------------------------------------------------------------


def test_badtoken_on_writes_only(proxied_wikis, accounts, unique_title):
    proxy = proxied_wikis["metawiki"]
    ada = person(proxy, accounts)
    proxy.inject("badtoken", count=1)
    assert "error" not in read(ada).json()  # a read carries no token: not hit
    refused = edit(ada, unique_title("Token"), "x")
    assert refused.headers["MediaWiki-API-Error"] == "badtoken"
    error = refused.json()["error"]
    assert (error["code"], error["info"]) == ("badtoken", "Invalid CSRF token.")
    assert proxy.counts().faults == Counter({"badtoken": 1})


def test_pywikibot_renews_its_token_once_and_raises_api_error_on_a_second_badtoken(
    proxied_wikis, proxied_farm, unique_title
):
    from pywikibot.exceptions import APIError

    proxy = proxied_wikis["metawiki"]
    proxy.inject("badtoken", count=1)
    title = unique_title("Pwb token")
    save(proxied_farm, "metawiki", title, "with a new token")
    assert proxy.counts().edits_by_title == Counter({title: 1})

    proxy.inject("badtoken")
    cause = save_error(proxied_farm, "metawiki", title, "never")
    assert type(cause) is APIError and cause.code == "badtoken"


def test_a_lost_session_is_answered_by_the_wiki_itself(proxied_wikis, accounts, unique_title):
    proxy = proxied_wikis["metawiki"]
    ada = person(proxy, accounts)
    proxy.inject("session_lost", count=3)
    title = unique_title("Session")
    user = edit(ada, title, "x", **{"assert": "user"})
    assert user.headers["MediaWiki-API-Error"] == "assertuserfailed"
    assert user.json()["error"]["info"] == (
        "You are no longer logged in, so the action could not be completed."
    )
    assert edit(ada, title, "x", **{"assert": "bot"}).json()["error"]["code"] == ("assertbotfailed")
    named = edit(ada, title, "x", assertuser=ADA).json()["error"]
    assert named["code"] == "assertnameduserfailed"
    # a request that does not assert is not hit: saved as Ada, never as an IP
    assert edit(ada, title, "y").json()["edit"]["result"] == "Success"
    assert ada.history(title)[0]["user"] == ADA
    counts = proxy.counts()
    assert counts.faults == Counter({"session_lost": 3})
    assert counts.edits_by_account == Counter({ADA: 1})


def test_pywikibot_logs_in_again_after_assertuserfailed_but_not_after_assertbotfailed(
    proxied_wikis, proxied_farm, unique_title
):
    from pywikibot.exceptions import APIError

    proxy = proxied_wikis["metawiki"]
    proxy.inject("session_lost", count=1, actions={"edit"})
    title = unique_title("Pwb session")
    save(proxied_farm, "metawiki", title, "after a new login")  # pywikibot asserts user
    assert proxy.counts().edits_by_title == Counter({title: 1})

    proxy.inject("session_lost", count=1, actions={"edit"})
    site = proxied_farm["metawiki"].site
    request = site.simple_request(
        action="edit", title=title, text="as the bot", token=site.tokens["csrf"]
    )
    request["assert"] = "bot"  # what campaignkit's own saves send
    with pytest.raises(APIError) as raised:
        request.submit()
    assert raised.value.code == "assertbotfailed"


# -- latency and selectors -----------------------------------------------------------


def test_latency_on_requests_for_one_title(proxied_wikis, accounts, unique_title):
    proxy = proxied_wikis["metawiki"]  # time_scale 0.01: 40 wiki seconds are 0.4 s
    ada = person(proxy, accounts)
    slow = unique_title("Slow")
    proxy.inject("latency", delay=40, title=slow)
    started = time.monotonic()
    assert "error" not in read(ada, titles=slow).json()
    assert time.monotonic() - started >= 0.4
    assert "error" not in read(ada, titles=unique_title("Fast")).json()
    assert proxy.counts().faults == Counter({"latency": 1})


def test_faults_select_by_title_pattern_action_and_account(proxied_wikis, accounts, unique_title):
    proxy = proxied_wikis["metawiki"]
    ada, bola = person(proxy, accounts, ADA), person(proxy, accounts, BOLA)
    prefix = unique_title("Sel")
    proxy.inject("readonly", title_pattern=f"^{prefix} A")
    proxy.inject("http503", actions={"move"})
    proxy.inject("badtoken", account=BOLA)
    assert edit(ada, f"{prefix} A1", "x").json()["error"]["code"] == "readonly"
    assert edit(ada, f"{prefix} B1", "x").json()["edit"]["result"] == "Success"
    assert edit(bola, f"{prefix} B2", "x").json()["error"]["code"] == "badtoken"
    counts = proxy.counts()
    assert counts.faults == Counter({"readonly": 1, "badtoken": 1})
    assert counts.edits_by_title == Counter({f"{prefix} B1": 1})


# -- the proxy as its own process ------------------------------------------------------


def test_the_proxy_runs_as_a_process_configured_over_http(devwiki_layout, accounts, tmp_path):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "campaignkit.devwiki.conditions_proxy",
            devwiki_layout.hub.api_url,
            "--time-scale",
            "0.01",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        ready, _, _ = select.select([process.stdout], [], [], 60)
        assert ready, "the proxy printed no URL within 60 s"
        api_url = process.stdout.readline().strip()  # printed once it listens
        assert api_url.startswith("http://127.0.0.1:") and api_url.endswith("/api.php"), (
            api_url + process.stderr.read()
        )
        control = api_url.removesuffix("/api.php") + "/__conditions__/"
        added = requests.post(control + "faults", json={"kind": "readonly", "count": 1}, timeout=5)
        assert added.status_code == 200, added.text
        assert (
            requests.post(control + "faults", json={"kind": "nope"}, timeout=5).status_code == 400
        )
        ada = HumanEditor(api_url, ADA, accounts.users[ADA])
        assert edit(ada, "Proxy process", "x").json()["error"]["code"] == "readonly"
        counts = ProxyCounts.from_dict(requests.get(control + "counts", timeout=5).json())
        assert counts.faults == Counter({"readonly": 1})
        assert counts.requests["clientlogin"] == 1
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert process.returncode == 0


def test_write_proxied_config_points_only_the_api_urls_at_the_proxies(
    proxy_in_front, devwiki_layout, tmp_path
):
    from campaignkit.config import load_settings

    proxy = proxy_in_front(devwiki_layout.hub)
    path = write_proxied_config(
        devwiki_layout.config_path,
        tmp_path / "campaignkit.toml",
        {"metawiki": proxy},
        bot={"max_retries": 1},
    )
    proxied, original = load_settings(path), load_settings(devwiki_layout.config_path)
    assert proxied.wiki("metawiki").api_url == proxy.api_url
    assert proxied.wiki("yowiki").api_url == original.wiki("yowiki").api_url
    assert proxied.max_retries == 1
    assert proxied.bot.password() == original.bot.password()
    assert proxied.state_dir == original.state_dir


def test_after_ratelimited_the_edit_core_waits_one_write_interval(
    proxied_wikis, proxied_farm, unique_title, monkeypatch
):
    """MediaWiki's ``ratelimited`` carries no Retry-After: the bot waits its own interval
    between saves (``write_throttle``), not the edit core's generic 5 s first wait."""
    from pywikibot import config

    from campaignkit.wiki.editing import EditOutcome, EditRequest, apply_edit
    from campaignkit.wiki.safe_edit import RetryPolicy

    proxy = proxied_wikis["metawiki"]
    title = unique_title("Rate interval")
    save(proxied_farm, "metawiki", title, "first")  # starts the account's interval
    proxy.limit_rate(100_000)  # far longer than the test: only the wait below ends it
    monkeypatch.setattr(config, "put_throttle", 0.25)
    clock = FakeClock()

    def wait_out(seconds: float) -> None:
        """The edit core's back-off, on a clock of its own: the wiki's interval is over."""
        clock.sleep(seconds)
        proxy.clear_rate_limits()

    try:
        save(proxied_farm, "metawiki", title, "second")  # accepted: the interval starts
        result = apply_edit(
            proxied_farm["metawiki"],
            EditRequest(title, lambda page: page.text + " third", "interval test"),
            policy=RetryPolicy(attempts=10, budget=10.0, sleep=wait_out, clock=lambda: clock.now),
        )
    finally:
        proxy.clear_rate_limits()
    assert result.outcome is EditOutcome.SAVED, result
    waits = clock.waits
    assert waits and set(waits) == {0.25}, waits
    assert proxy.counts().faults["ratelimited"] == len(waits)
