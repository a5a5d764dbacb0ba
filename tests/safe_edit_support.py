"""Saving as the bot or as an organizer, against the real local wikis, with faults on demand.

The ``editor`` fixture runs a test twice: once through the bot's pywikibot
session (:func:`campaignkit.wiki.editing.apply_edit`), once through an
organizer's own session logged in with ``action=clientlogin``
(:class:`~campaignkit.wiki.organizer_transport.OrganizerTransport`, as the
webservice saves). Both go through the one edit core, so every conflict test
holds for both.

:class:`Faults` stands at the HTTP boundary in front of the real wiki: it
answers the next edit requests the way a wiki in trouble does (``readonly``,
HTTP 503 with ``Retry-After``, a reset connection, …) and passes everything
else to the wiki, so the rest of each test is real.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from requests.adapters import HTTPAdapter

from campaignkit.devwiki.install import COORDINATOR
from campaignkit.submissions import logins
from campaignkit.web_settings import load_web_settings
from campaignkit.wiki.editing import apply_edit
from campaignkit.wiki.organizer_editing import NO_WAITING
from campaignkit.wiki.organizer_session import OrganizerWiki
from campaignkit.wiki.organizer_transport import OrganizerTransport
from campaignkit.wiki.safe_edit import (
    DEFAULT_POLICY,
    EditRequest,
    EditResult,
    RetryPolicy,
    safe_edit,
)


@dataclass
class Editor:
    """Who saves in a test: the bot or an organizer, on any local wiki."""

    kind: str
    farm: Any
    settings: Any
    accounts: Any
    apis: dict[str, OrganizerWiki] = field(default_factory=dict)
    requests: Counter[str] = field(default_factory=Counter)

    @property
    def username(self) -> str:
        """The account the page history shows."""
        return self.accounts.bot_user if self.kind == "bot" else COORDINATOR

    def api(self, wiki_id: str) -> OrganizerWiki:
        """The organizer's session on one wiki (logged in once), counting its requests."""
        if wiki_id not in self.apis:
            login = logins.client_login(
                self.settings, COORDINATOR, self.accounts.users[COORDINATOR]
            )
            api = login.session_for(self.settings, load_web_settings(self.settings), wiki_id)
            api.session.hooks["response"].append(
                lambda response, *args, **kwargs: self.requests.update([wiki_id])
            )
            self.apis[wiki_id] = api
        return self.apis[wiki_id]

    def session(self, wiki_id: str) -> requests.Session:
        """The HTTP session this editor's requests to one wiki go through."""
        if self.kind == "bot":
            from pywikibot.comms import http

            return http.session
        return self.api(wiki_id).session

    def edit(
        self,
        wiki_id: str,
        request: EditRequest,
        *,
        dry_run: bool = False,
        policy: RetryPolicy | None = None,
    ) -> EditResult:
        """Save as this editor, with the production policy unless told otherwise."""
        if self.kind == "bot":
            return apply_edit(
                self.farm[wiki_id], request, dry_run=dry_run, policy=policy or DEFAULT_POLICY
            )
        transport = OrganizerTransport(self.api(wiki_id))
        return safe_edit(transport, request, dry_run=dry_run, policy=policy or NO_WAITING)

    def count(self, wiki_id: str) -> int:
        """API requests this editor has sent to one wiki so far."""
        if self.kind == "bot":
            return self.farm.request_counts()[wiki_id]
        return self.requests[wiki_id]


@pytest.fixture(params=["bot", "organizer"])
def editor(request, farm, settings, accounts) -> Editor:
    """The bot, then an organizer: each test runs once through each transport."""
    return Editor(request.param, farm, settings, accounts)


def _params(request: requests.PreparedRequest) -> dict[str, str]:
    params = dict(parse_qsl(urlsplit(request.url).query))
    if request.body:
        body = request.body if isinstance(request.body, str) else request.body.decode()
        params.update(parse_qsl(body))
    return params


def answer(
    request: requests.PreparedRequest,
    body: Any,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> requests.Response:
    """An HTTP answer to a request: JSON from a dict, or the bytes given."""
    response = requests.Response()
    response.status_code = status
    response.reason = "OK" if status < 400 else "Service Unavailable"
    response.headers.update({"Content-Type": "application/json", **(headers or {})})
    response._content = body if isinstance(body, bytes) else json.dumps(body).encode()
    response.url = request.url
    response.request = request
    return response


Fault = Callable[[requests.PreparedRequest], Any]


def api_error(code: str, headers: dict[str, str] | None = None) -> Fault:
    """The wiki answers with this API error code."""
    body = {"error": {"code": code, "info": f"{code} (injected)"}}
    return lambda request: answer(request, body, 200, headers)


def http_error(status: int, headers: dict[str, str] | None = None) -> Fault:
    """The wiki's front end answers an HTML error page."""
    page = b"<html><body>Our servers are busy</body></html>"
    return lambda request: answer(
        request, page, status, {"Content-Type": "text/html", **(headers or {})}
    )


def broken(error: Exception) -> Fault:
    """The connection breaks before any answer."""

    def fault(request: requests.PreparedRequest) -> Any:
        raise error

    return fault


class Faults(HTTPAdapter):
    """Answers the next matching requests with faults; passes the rest to the real wiki."""

    def __init__(self, faults: list[Fault], action: str = "edit") -> None:
        super().__init__()
        self.faults = list(faults)
        self.action = action
        self.hit = 0

    def send(self, request, **kwargs):
        if self.faults and _params(request).get("action") == self.action:
            self.hit += 1
            return self.faults.pop(0)(request)
        return super().send(request, **kwargs)


@contextmanager
def faults_on(editor: Editor, wiki_id: str, faults: list[Fault]) -> Iterator[Faults]:
    """Put :class:`Faults` in front of one wiki for this editor's session, then take it away."""
    session = editor.session(wiki_id)
    prefix = editor.settings.wiki(wiki_id).api_url.rsplit("/", 1)[0] + "/"
    adapter = Faults(faults)
    session.mount(prefix, adapter)
    try:
        yield adapter
    finally:
        del session.adapters[prefix]
        adapter.close()


def set_line(number: int, value: str) -> Callable[[Any], str]:
    """A transform that rewrites one line of the page (the line's owner is the editor)."""

    def transform(page: Any) -> str:
        lines = page.text.split("\n")
        lines[number] = value
        return "\n".join(lines)

    return transform


class FakeClock:
    """Time that passes only when the edit core sleeps: waits are measured, not waited."""

    def __init__(self) -> None:
        self.now = 0.0
        self.waits: list[float] = []

    def sleep(self, seconds: float) -> None:
        """Record the wait and move the clock on."""
        self.waits.append(seconds)
        self.now += seconds

    def policy(self, **limits: Any) -> RetryPolicy:
        """A retry policy that sleeps on this clock."""
        return RetryPolicy(sleep=self.sleep, clock=lambda: self.now, **limits)
