"""The edit core without a wiki: api.php is faked at the HTTP boundary, everything else is real.

The organizer's transport (a plain ``requests`` session) carries the core's
requests to :class:`FakeApiPhp`, a one-page api.php that applies MediaWiki's
rules for ``baserevid``, ``nocreate``/``createonly``, merges and ``nochange``,
stores JSON normalized, and can be told to fail the next edit in any way a
wiki fails. The same cases run against the real local wikis, through both
transports, in tests/test_safe_edit_wiki.py.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from requests.adapters import BaseAdapter

from campaignkit.config import WikiConfig
from campaignkit.wiki.edit_errors import ErrorKind
from campaignkit.wiki.organizer_editing import LOGIN, REFUSED, RETRY, SAVED, save_result
from campaignkit.wiki.organizer_session import OrganizerWiki
from campaignkit.wiki.organizer_transport import OrganizerTransport
from campaignkit.wiki.safe_edit import EditOutcome, EditRequest, safe_edit, same_content
from tests.safe_edit_support import FakeClock, answer, api_error, broken, http_error, set_line

TITLE = "Event page"
NOW = "2027-03-01T12:00:00Z"


@dataclass
class Revision:
    revid: int
    text: str


@dataclass
class FakeApiPhp(BaseAdapter):
    """api.php of a wiki with one page, at the HTTP boundary."""

    contentmodel: str = "wikitext"
    revisions: list[Revision] = field(default_factory=list)
    calls: list[dict[str, str]] = field(default_factory=list)
    faults: list[Any] = field(default_factory=list)  # consumed by edits, one each
    human_edits: list[str] = field(default_factory=list)  # saved just before the next edit
    merge: Any = None  # (base, theirs, ours) -> merged text, or None for a conflict
    token: str = "token+\\"  # a new one when the session is renewed

    def __post_init__(self) -> None:
        super().__init__()

    def store(self, text: str) -> int:
        if self.contentmodel == "json":
            text = json.dumps(json.loads(text), indent=4)  # as MediaWiki keeps JSON
        revid = 100 + len(self.revisions)
        self.revisions.append(Revision(revid, text.rstrip()))
        return revid

    def count(self, **match: str) -> int:
        return sum(all(call.get(k) == v for k, v in match.items()) for call in self.calls)

    def send(self, request, **kwargs):
        params = dict(parse_qsl(urlsplit(request.url).query))
        if request.body:
            body = request.body if isinstance(request.body, str) else request.body.decode()
            params.update(parse_qsl(body))
        self.calls.append(params)
        if params.get("action") == "edit" and self.faults:
            return self.faults.pop(0)(request)
        return answer(request, self.reply(params))

    def close(self) -> None:
        pass

    def reply(self, params: dict[str, str]) -> dict[str, Any]:
        if params.get("meta") == "tokens":
            return {"query": {"tokens": {"csrftoken": self.token}}}
        if params.get("action") == "edit":
            return self.edit(params)
        if "revids" in params:
            revision = next(r for r in self.revisions if r.revid == int(params["revids"]))
            content = {"slots": {"main": {"content": revision.text}}}
            return {"query": {"pages": [{"title": TITLE, "revisions": [content]}]}}
        if not self.revisions:
            return {"curtimestamp": NOW, "query": {"pages": [{"title": TITLE, "missing": True}]}}
        latest = self.revisions[-1]
        page = {
            "title": TITLE,
            "contentmodel": self.contentmodel,
            "revisions": [
                {
                    "revid": latest.revid,
                    "timestamp": NOW,
                    "slots": {"main": {"content": latest.text}},
                }
            ],
        }
        return {"curtimestamp": NOW, "query": {"pages": [page]}}

    def edit(self, params: dict[str, str]) -> dict[str, Any]:
        def error(code: str) -> dict[str, Any]:
            return {"error": {"code": code, "info": code}}

        if params["token"] != self.token:
            return error("badtoken")
        for text in self.human_edits[:1]:
            self.human_edits.pop(0)
            self.store(text)
        latest = self.revisions[-1] if self.revisions else None
        if "createonly" in params and latest:
            return error("articleexists")
        if "nocreate" in params and not latest:
            return error("missingtitle")
        text = params["text"]
        if latest and int(params.get("baserevid", latest.revid)) != latest.revid:
            base = next(r for r in self.revisions if r.revid == int(params["baserevid"]))
            merged = self.merge(base.text, latest.text, text) if self.merge else None
            if merged is None:
                return error("editconflict")
            text = merged
        if latest and same_content(latest.text, text, self.contentmodel):
            return {"edit": {"result": "Success", "title": TITLE, "nochange": True}}
        newrevid = self.store(text)
        answer = {"result": "Success", "title": TITLE, "newrevid": newrevid}
        answer |= {"oldrevid": latest.revid} if latest else {"new": True, "oldrevid": 0}
        return {"edit": answer}


def line_merge(base: str, theirs: str, ours: str) -> str | None:
    """diff3 for texts of equal line count: each line from whoever changed it."""
    lines = base.split("\n"), theirs.split("\n"), ours.split("\n")
    if len({len(x) for x in lines}) != 1:
        return None
    merged = []
    for b, t, o in zip(*lines, strict=True):
        if t != b and o != b and t != o:
            return None
        merged.append(o if o != b else t)
    return "\n".join(merged)


def transport_for(wiki: FakeApiPhp, username: str = "Ada Organizer") -> OrganizerTransport:
    session = requests.Session()
    session.mount("http://", wiki)
    config = WikiConfig(id="testwiki", api_url="http://wiki.test/api.php", lang="en")
    return OrganizerTransport(OrganizerWiki(config, session, username=username))


PAGE = "\n".join(f"line {i}" for i in range(8))


# --- read-back only when MediaWiki may have merged ------------------------------------


def test_no_read_back_when_oldrevid_is_the_base_revision():
    wiki = FakeApiPhp()
    wiki.store(PAGE)
    result = safe_edit(transport_for(wiki), EditRequest(TITLE, set_line(0, "ours"), "s"))
    assert result.outcome is EditOutcome.SAVED and not result.merged
    assert wiki.count(action="edit") == 1
    assert not any("revids" in call for call in wiki.calls)
    assert len(wiki.calls) == 3  # read, token, edit
    sent = next(c for c in wiki.calls if c.get("action") == "edit")
    assert sent["baserevid"] == "100" and sent["nocreate"] == "1"
    assert sent["assert"] == "user" and sent["assertuser"] == "Ada Organizer"
    assert "basetimestamp" not in sent and "bot" not in sent


def test_no_read_back_after_a_creation():
    wiki = FakeApiPhp()
    result = safe_edit(transport_for(wiki), EditRequest(TITLE, lambda page: "new page", "s"))
    assert result.outcome is EditOutcome.CREATED
    assert [c.get("action") for c in wiki.calls] == ["query", "query", "edit"]
    assert "createonly" in wiki.calls[-1] and "nocreate" not in wiki.calls[-1]


def test_read_back_and_verify_when_mediawiki_merged_a_concurrent_edit():
    wiki = FakeApiPhp(merge=line_merge)
    wiki.store(PAGE)
    wiki.human_edits.append(PAGE.replace("line 7", "line 7 (Ada)"))
    seen: list[str] = []
    request = EditRequest(
        TITLE, set_line(0, "ours"), "s", verify=lambda text: seen.append(text) or True
    )
    result = safe_edit(transport_for(wiki), request)
    assert result.outcome is EditOutcome.SAVED and result.merged
    assert wiki.count(revids=str(result.revid)) == 1
    assert seen == [result.text] and "line 7 (Ada)" in result.text and "ours" in result.text


def test_a_merge_that_lost_the_change_is_recomputed():
    wiki = FakeApiPhp(merge=lambda base, theirs, ours: theirs + "\nmerged")  # ours is lost
    wiki.store(PAGE)
    wiki.human_edits.append(PAGE.replace("line 7", "line 7 (Ada)"))
    request = EditRequest(TITLE, set_line(0, "ours"), "s", verify=lambda text: "ours" in text)
    result = safe_edit(transport_for(wiki), request)
    assert result.outcome is EditOutcome.SAVED, result.reason
    assert wiki.revisions[-1].text.startswith("ours") and "line 7 (Ada)" in wiki.revisions[-1].text
    assert wiki.count(action="edit") == 2


def test_an_edit_conflict_is_recomputed_from_the_new_text():
    wiki = FakeApiPhp(merge=line_merge)
    wiki.store(PAGE)
    wiki.human_edits.append(PAGE.replace("line 0", "line 0 (Ada)"))
    result = safe_edit(transport_for(wiki), EditRequest(TITLE, set_line(1, "ours"), "s"))
    assert result.outcome is EditOutcome.SAVED and result.conflicts == 0 and result.merged
    wiki.human_edits.append(wiki.revisions[-1].text.replace("ours", "Ada's"))
    again = safe_edit(transport_for(wiki), EditRequest(TITLE, set_line(1, "ours v2"), "s"))
    assert again.outcome is EditOutcome.SAVED and again.conflicts == 1
    assert wiki.revisions[-1].text.split("\n")[:2] == ["line 0 (Ada)", "ours v2"]


# --- nothing is sent when nothing would change ------------------------------------------


def test_json_pages_are_compared_as_data():
    wiki = FakeApiPhp(contentmodel="json")
    wiki.store('{"count": 3, "events": [1.5, true]}')
    stored = wiki.revisions[-1].text
    same = EditRequest(
        TITLE, lambda page: '{"events":[1.5,true],"count":3.0}', "s", contentmodel="json"
    )
    result = safe_edit(transport_for(wiki), same)
    assert result.outcome is EditOutcome.UNCHANGED
    assert wiki.count(action="edit") == 0 and wiki.count(meta="tokens") == 0
    changed = EditRequest(
        TITLE, lambda page: '{"events":[1.5,1],"count":3}', "s", contentmodel="json"
    )
    assert safe_edit(transport_for(wiki), changed).outcome is EditOutcome.SAVED
    assert wiki.revisions[-1].text != stored


def test_trailing_whitespace_the_wiki_drops_is_no_change_but_nbsp_is():
    wiki = FakeApiPhp()
    wiki.store("text")
    unchanged = safe_edit(transport_for(wiki), EditRequest(TITLE, lambda p: "text\n\n", "s"))
    assert unchanged.outcome is EditOutcome.UNCHANGED
    assert wiki.count(action="edit") == 0
    assert not same_content("text", "text\u00a0")
    assert not same_content("{}", "{ }", "") and same_content("{}", "{ }", "json")


# --- every failure is an outcome, none an exception -------------------------------------

FAILURES = [
    (api_error("readonly"), ErrorKind.RETRY_LATER, EditOutcome.FAILED, RETRY, "status-wiki-busy"),
    (api_error("maxlag"), ErrorKind.RETRY_LATER, EditOutcome.FAILED, RETRY, "status-wiki-busy"),
    (
        api_error("ratelimited"),
        ErrorKind.RETRY_LATER,
        EditOutcome.FAILED,
        RETRY,
        "status-wiki-busy",
    ),
    (http_error(503), ErrorKind.RETRY_LATER, EditOutcome.FAILED, RETRY, "status-wiki-down"),
    (
        broken(requests.ConnectionError("connection reset by peer")),
        ErrorKind.RETRY_LATER,
        EditOutcome.FAILED,
        RETRY,
        "status-wiki-down",
    ),
    (
        broken(requests.ReadTimeout("read timed out")),
        ErrorKind.RETRY_LATER,
        EditOutcome.FAILED,
        RETRY,
        "status-wiki-down",
    ),
    (
        lambda request: answer(request, b"<html>maintenance</html>"),
        ErrorKind.RETRY_LATER,
        EditOutcome.FAILED,
        RETRY,
        "status-wiki-down",
    ),
    (
        api_error("assertuserfailed"),
        ErrorKind.LOGIN,
        EditOutcome.FAILED,
        LOGIN,
        "status-login-again",
    ),
    (
        api_error("protectedpage"),
        ErrorKind.SKIP,
        EditOutcome.SKIPPED,
        REFUSED,
        "error-wiki-refused",
    ),
    (api_error("blocked"), ErrorKind.SKIP, EditOutcome.SKIPPED, REFUSED, "error-wiki-refused"),
    (
        api_error("abusefilter-disallowed"),
        ErrorKind.SKIP,
        EditOutcome.SKIPPED,
        REFUSED,
        "error-wiki-refused",
    ),
    (api_error("missingtitle"), ErrorKind.GONE, EditOutcome.SKIPPED, REFUSED, "error-page-gone"),
    (
        api_error("someextension-no"),
        ErrorKind.OTHER,
        EditOutcome.FAILED,
        REFUSED,
        "error-wiki-refused",
    ),
]


@pytest.mark.parametrize(("fault", "kind", "outcome", "web", "key"), FAILURES)
def test_each_failure_is_a_typed_outcome(fault, kind, outcome, web, key):
    wiki = FakeApiPhp()
    wiki.store(PAGE)
    wiki.faults = [fault] * 10
    clock = FakeClock()
    result = safe_edit(
        transport_for(wiki), EditRequest(TITLE, set_line(0, "ours"), "s"), policy=clock.policy()
    )
    assert (result.outcome, result.failure) == (outcome, kind), result.reason
    assert result.wiki_unavailable is (kind in (ErrorKind.RETRY_LATER, ErrorKind.LOGIN))
    assert result.reason and len(wiki.revisions) == 1
    if kind is ErrorKind.RETRY_LATER:
        assert wiki.count(action="edit") == 4 and len(clock.waits) == 3  # bounded
    else:
        assert wiki.count(action="edit") == 1 and clock.waits == []
    told = save_result(result)
    assert (told.outcome, told.key) == (web, key)


def test_waits_honour_retry_after_then_double_within_the_page_budget():
    wiki = FakeApiPhp()
    wiki.store(PAGE)
    wiki.faults = [http_error(503, {"Retry-After": "7"}), api_error("readonly")] * 5
    clock = FakeClock()
    request = EditRequest(TITLE, set_line(0, "ours"), "s")
    result = safe_edit(transport_for(wiki), request, policy=clock.policy(attempts=5, budget=100))
    assert clock.waits == [7.0, 10.0, 7.0, 40.0]  # Retry-After; else 5 s doubling per attempt
    assert result.failure is ErrorKind.RETRY_LATER and result.code == "http-503"
    short = FakeClock()
    wiki.faults = [api_error("maxlag", headers={"Retry-After": "30"})] * 5
    result = safe_edit(transport_for(wiki), request, policy=short.policy(budget=45))
    assert short.waits == [30.0]  # a second wait would pass the page's 45 s
    assert result.failure is ErrorKind.RETRY_LATER and "replicas" in result.reason


def test_a_wiki_that_comes_back_gets_the_edit():
    wiki = FakeApiPhp()
    wiki.store(PAGE)
    wiki.faults = [api_error("readonly")]
    clock = FakeClock()
    request = EditRequest(TITLE, set_line(0, "ours"), "s")
    result = safe_edit(transport_for(wiki), request, policy=clock.policy())
    assert result.outcome is EditOutcome.SAVED and clock.waits == [5.0]
    assert wiki.revisions[-1].text.startswith("ours")


def test_the_organizer_never_waits_the_journal_retries_later():
    wiki = FakeApiPhp()
    wiki.store(PAGE)
    wiki.faults = [api_error("readonly")]
    from campaignkit.wiki.organizer_editing import save

    api = transport_for(wiki).api
    result = save(api, TITLE, set_line(0, "ours"), "s")
    assert (result.outcome, result.key) == (RETRY, "status-wiki-busy")
    assert wiki.count(action="edit") == 1
    assert save(api, TITLE, set_line(0, "ours"), "s").outcome == SAVED


def test_a_refused_token_is_fetched_again_once():
    wiki = FakeApiPhp()
    wiki.store(PAGE)
    transport = transport_for(wiki)
    assert safe_edit(transport, EditRequest(TITLE, set_line(0, "first"), "s")).wrote
    wiki.token = "renewed+\\"  # the wiki renewed the session meanwhile
    result = safe_edit(transport, EditRequest(TITLE, set_line(0, "ours"), "s"))
    assert result.outcome is EditOutcome.SAVED and wiki.count(meta="tokens") == 2
    wiki.faults = [api_error("badtoken")] * 2
    again = safe_edit(transport, EditRequest(TITLE, set_line(0, "ours v2"), "s"))
    assert (again.outcome, again.failure, again.code) == (
        EditOutcome.FAILED,
        ErrorKind.LOGIN,
        "badtoken",
    )
    assert wiki.count(meta="tokens") == 3


def test_endless_conflicts_end_bounded_with_the_page_named():
    wiki = FakeApiPhp()
    wiki.store(PAGE)
    wiki.faults = [api_error("editconflict")] * 10
    result = safe_edit(transport_for(wiki), EditRequest(TITLE, set_line(0, "ours"), "s"))
    assert (result.outcome, result.failure, result.conflicts) == (
        EditOutcome.FAILED,
        ErrorKind.CONFLICT,
        4,
    )
    assert "4 attempts" in result.reason
    assert save_result(result).key == "error-too-many-conflicts"
