"""The organizer's way to a wiki for the edit core: their own session, not the bot's.

A form's edit must appear under the organizer's name and be refused when they
may not make it, so it goes through :class:`~campaignkit.wiki.organizer_session.OrganizerWiki`
(login cookies or OAuth). This transport only carries the edit core's requests
over that session and turns its errors into
:class:`~campaignkit.wiki.edit_errors.TransportError`; what is sent and what an
answer means is decided in :mod:`campaignkit.wiki.safe_edit`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from campaignkit.wiki.batch import PageText
from campaignkit.wiki.edit_errors import UNREACHABLE, TransportError
from campaignkit.wiki.errors import WikiUnreachable
from campaignkit.wiki.organizer_session import ApiError, OrganizerWiki, WikiUnavailable
from campaignkit.wiki.safe_edit import (
    page_from_answer,
    read_page_params,
    revision_from_answer,
    revision_params,
)


class OrganizerTransport:
    """One organizer's session with one wiki, as an edit transport."""

    is_bot = False

    def __init__(self, api: OrganizerWiki) -> None:
        self.api = api
        self._token = ""

    @property
    def wiki_id(self) -> str:
        """The configured wiki id."""
        return self.api.id

    @property
    def username(self) -> str:
        """The organizer's account name (sent as ``assertuser``)."""
        return self.api.username

    @contextmanager
    def _failures(self) -> Iterator[None]:
        try:
            yield
        except ApiError as error:
            raise TransportError(self.wiki_id, error.code, error.info, error.retry_after) from None
        except WikiUnavailable as error:
            raise TransportError(self.wiki_id, error.code, str(error), error.retry_after) from None
        except WikiUnreachable as error:
            raise TransportError(self.wiki_id, UNREACHABLE, str(error)) from None

    def read_page(self, title: str) -> PageText:
        """The page's latest revision and the server time, as the organizer sees it."""
        with self._failures():
            answer = self.api.get(**read_page_params(title))
        return page_from_answer(answer, title)

    def read_revision(self, revid: int) -> str:
        """One saved revision's text."""
        with self._failures():
            answer = self.api.get(**revision_params(revid))
        return revision_from_answer(answer, self.wiki_id, revid)

    def token(self, *, fresh: bool = False) -> str:
        """The organizer's CSRF token, fetched once per transport (again when ``fresh``)."""
        if fresh or not self._token:
            with self._failures():
                self._token = self.api.token("csrf")
        return self._token

    def send_edit(self, params: dict[str, str]) -> dict[str, Any]:
        """``action=edit`` as the edit core composed it, in the organizer's name."""
        with self._failures():
            return self.api.post(**params).get("edit", {})
