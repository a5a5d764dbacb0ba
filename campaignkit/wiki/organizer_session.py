"""The organizer's own session with a wiki: every edit from a form is theirs, not the bot's.

A form's edit must appear in the page history under the organizer's name, and
must be refused when the organizer may not make it (blocked, protected page).
So the web app never uses the bot's farm to write: it talks to api.php with a
``requests`` session that carries either the organizer's login cookies (local
wikis, ``action=clientlogin``) or their OAuth 1.0a signature (production).

Every write sends ``assert=user`` and ``assertuser`` so that a session that
expired (or belongs to someone else) fails instead of editing anonymously.
"""

from __future__ import annotations

from typing import Any

import requests

from campaignkit import __version__
from campaignkit.config import Settings, WikiConfig
from campaignkit.wiki import edit_errors
from campaignkit.wiki.errors import WikiUnreachable

TIMEOUT = (5, 30)  # connect, read: an organizer waits for the answer


class ApiError(Exception):
    """The wiki answered with an API error code (and maybe how long to wait: ``Retry-After``)."""

    def __init__(
        self, wiki_id: str, code: str, info: str, retry_after: float | None = None
    ) -> None:
        super().__init__(f"{wiki_id}: {code}: {info}")
        self.wiki_id = wiki_id
        self.code = code
        self.info = info
        self.retry_after = retry_after


class WikiUnavailable(WikiUnreachable):
    """No API answer: timeout, lost connection, HTTP 5xx, not JSON — with the edit core's code."""

    def __init__(
        self, wiki_id: str, message: str, code: str, retry_after: float | None = None
    ) -> None:
        super().__init__(wiki_id, message)
        self.code = code
        self.retry_after = retry_after


def user_agent(settings: Settings) -> str:
    """The User-Agent Wikimedia asks tools to send, with a contact."""
    return f"{settings.tool_name}-web/{__version__} ({settings.contact}) python-requests"


class OrganizerWiki:
    """api.php of one wiki, as one logged-in person (or anonymous for reads)."""

    def __init__(
        self,
        wiki: WikiConfig,
        session: requests.Session,
        *,
        username: str = "",
        agent: str = "campaignkit-web",
        maxlag: int = 5,
    ) -> None:
        self.wiki = wiki
        self.session = session
        self.username = username
        self.session.headers.setdefault("User-Agent", agent)
        self.maxlag = maxlag

    @property
    def id(self) -> str:
        """The wiki id from the configuration."""
        return self.wiki.id

    def _call(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        params = {"format": "json", "formatversion": "2", "maxlag": self.maxlag, **params}
        try:
            if method == "GET":
                response = self.session.get(self.wiki.api_url, params=params, timeout=TIMEOUT)
            else:
                response = self.session.post(self.wiki.api_url, data=params, timeout=TIMEOUT)
        except requests.RequestException as error:
            code = (
                edit_errors.TIMEOUT
                if isinstance(error, requests.Timeout)
                else edit_errors.UNREACHABLE
            )
            raise WikiUnavailable(
                self.id, f"{self.wiki.api_url} does not answer ({error})", code
            ) from None
        retry_after = edit_errors.retry_after_seconds(response.headers)
        if response.status_code >= 500:
            raise WikiUnavailable(
                self.id,
                f"{self.wiki.api_url} answered HTTP {response.status_code}",
                edit_errors.http_code(response.status_code),
                retry_after,
            )
        try:
            answer = response.json()
        except ValueError:
            raise WikiUnavailable(
                self.id,
                f"{self.wiki.api_url} did not answer with JSON (HTTP {response.status_code})",
                edit_errors.NOT_JSON,
            ) from None
        error = answer.get("error")
        if error:
            raise ApiError(
                self.id, error.get("code", "unknown"), error.get("info", ""), retry_after
            )
        return answer

    def get(self, **params: Any) -> dict[str, Any]:
        """A read request."""
        return self._call("GET", params)

    def post(self, **params: Any) -> dict[str, Any]:
        """A write request, asserting that the organizer is still logged in as themselves."""
        if self.username:
            params.setdefault("assert", "user")
            params.setdefault("assertuser", self.username)
        return self._call("POST", params)

    def token(self, kind: str = "csrf") -> str:
        """A fresh token of one kind (csrf, createaccount, login)."""
        answer = self.get(action="query", meta="tokens", type=kind)
        return answer["query"]["tokens"][f"{kind}token"]
