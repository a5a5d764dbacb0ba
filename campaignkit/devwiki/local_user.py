"""A person editing a local wiki, played by plain HTTP requests.

The demo writes its sample campaign as the local organizer and participants
(so page histories show people, not the bot), and tests use it to make edits
as someone other than the bot, so that the bot's conflict handling meets real
human revisions. Account-creation tests use the same session anonymously, as a
newcomer's browser. Only for the throwaway accounts of the local wikis.
"""

from __future__ import annotations

from typing import Any

import requests


class WikiClient:
    """A browser-like session on one local wiki's api.php: anonymous until it logs in."""

    def __init__(self, api_url: str) -> None:
        self.api_url = api_url
        self.session = requests.Session()

    def get(self, **params: Any) -> dict[str, Any]:
        """A read request."""
        params |= {"format": "json", "formatversion": "2"}
        return self.session.get(self.api_url, params=params, timeout=60).json()

    def post(self, **params: Any) -> dict[str, Any]:
        """A write request."""
        params |= {"format": "json", "formatversion": "2"}
        return self.session.post(self.api_url, data=params, timeout=60).json()

    def log_in(self, username: str, password: str) -> None:
        """Log this session in as a person would (``clientlogin``), or raise RuntimeError."""
        token = self.get(action="query", meta="tokens", type="login")["query"]["tokens"][
            "logintoken"
        ]
        answer = self.post(
            action="clientlogin",
            username=username,
            password=password,
            logintoken=token,
            loginreturnurl="http://127.0.0.1/",
        )
        if answer.get("clientlogin", {}).get("status") != "PASS":
            raise RuntimeError(f"{username} could not log in: {answer}")


class HumanEditor(WikiClient):
    """A logged-in ordinary account on one local wiki."""

    def __init__(self, api_url: str, username: str, password: str) -> None:
        super().__init__(api_url)
        self.username = username
        self.log_in(username, password)

    def csrf(self) -> str:
        """A fresh edit token."""
        return self.get(action="query", meta="tokens")["query"]["tokens"]["csrftoken"]

    def edit(self, title: str, text: str, summary: str = "human edit") -> int:
        """Save a page as this person; return the new revision id."""
        answer = self.post(
            action="edit", title=title, text=text, summary=summary, token=self.csrf()
        )
        if answer.get("edit", {}).get("result") != "Success":
            raise RuntimeError(f"edit of {title} failed: {answer}")
        return answer["edit"].get("newrevid", 0)

    def text(self, title: str) -> str:
        """The page's current text."""
        page = self.get(
            action="query", prop="revisions", titles=title, rvprop="content", rvslots="main"
        )["query"]["pages"][0]
        return page["revisions"][0]["slots"]["main"]["content"]

    def history(self, title: str) -> list[dict[str, Any]]:
        """The page's revisions, newest first (user, comment, ids)."""
        page = self.get(
            action="query",
            prop="revisions",
            titles=title,
            rvprop="ids|user|comment|timestamp",
            rvlimit="max",
        )["query"]["pages"][0]
        return page.get("revisions", [])
