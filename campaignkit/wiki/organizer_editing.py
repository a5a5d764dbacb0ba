"""Saving a page as the organizer, with the same care the bot takes.

The rules are those of :mod:`campaignkit.wiki.editing` (which is bound to the
bot's pywikibot session): read the page and the server time, compute the new
text from what was read, save with ``basetimestamp`` and ``starttimestamp`` so
that a human edit in between is a conflict and not an overwrite, recompute
from the new text on a conflict (bounded), read the saved revision back.
API error codes are classified by :func:`campaignkit.wiki.editing.classify_error`,
so the bot and the webservice agree on what "retry later" means.

Outcomes are values: saved (or unchanged), refused with a reason the organizer
can act on, or "retry later" when the wiki is down, read-only or lagged, which
leaves the journaled submission pending.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from campaignkit.wiki.batch import READ_PARAMS, PageText
from campaignkit.wiki.editing import ErrorKind, classify_error
from campaignkit.wiki.errors import WikiUnreachable
from campaignkit.wiki.organizer_session import ApiError, OrganizerWiki

MAX_ATTEMPTS = 4
LOGIN_CODES = {
    "assertuserfailed",
    "assertnameduserfailed",
    "notloggedin",
    "mwoauth-invalid-authorization",
}

SAVED = "saved"
UNCHANGED = "unchanged"
REFUSED = "refused"
RETRY = "retry"
LOGIN = "login"  # the organizer's session expired: pending until they log in again


class SaveRefused(Exception):
    """The change cannot be made to the page as it is now; says why (message key + detail)."""

    def __init__(self, key: str, detail: str = "") -> None:
        super().__init__(f"{key}: {detail}")
        self.key = key
        self.detail = detail


@dataclass
class SaveResult:
    """What happened to one save."""

    outcome: str
    revid: int = 0
    key: str = ""  # i18n message key of the reason, when not saved
    detail: str = ""
    text: str = ""
    conflicts: int = 0

    @property
    def done(self) -> bool:
        """Whether the page now holds the change."""
        return self.outcome in (SAVED, UNCHANGED)


Transform = Callable[[PageText], str]


def read_page(api: OrganizerWiki, title: str) -> PageText:
    """One page's latest text and the server time, as the organizer sees it."""
    answer = api.get(action="query", titles=title, **READ_PARAMS)
    pages = answer.get("query", {}).get("pages", [])
    if not pages:
        return PageText(title, False, invalid_reason="not returned by the API")
    return PageText.from_api(pages[0], answer.get("curtimestamp", ""))


def revision_text(api: OrganizerWiki, revid: int) -> str:
    """The text of one saved revision."""
    answer = api.get(
        action="query", prop="revisions", revids=str(revid), rvprop="content", rvslots="main"
    )
    return answer["query"]["pages"][0]["revisions"][0]["slots"]["main"]["content"]


def _edit(
    api: OrganizerWiki, title: str, page: PageText, text: str, summary: str, extra: dict
) -> dict[str, Any]:
    params = {
        "action": "edit",
        "title": title,
        "text": text,
        "summary": summary,
        "md5": hashlib.md5(text.encode("utf-8")).hexdigest(),
        "token": api.token("csrf"),
        **extra,
    }
    if page.exists:
        params["nocreate"] = "1"
        # Both: MediaWiki 1.39 reports a conflict when either differs, and the
        # revision id catches a human edit saved in the same second as our read,
        # which the one-second timestamp alone would miss.
        params["basetimestamp"] = page.timestamp
        params["baserevid"] = str(page.revid)
    else:
        params["createonly"] = "1"
    if page.starttimestamp:
        params["starttimestamp"] = page.starttimestamp
    return api.post(**params).get("edit", {})


def save(
    api: OrganizerWiki,
    title: str,
    transform: Transform,
    summary: str,
    *,
    current: PageText | None = None,
    verify: Callable[[str], bool] | None = None,
    extra: dict | None = None,
) -> SaveResult:
    """Compute and save one page's new text as the organizer; never overwrite an edit."""
    result = SaveResult(REFUSED)
    page = current
    for _attempt in range(MAX_ATTEMPTS):
        try:
            if page is None:
                page = read_page(api, title)
            if page.invalid_reason:
                return SaveResult(REFUSED, key="error-bad-title", detail=page.invalid_reason)
            new_text = transform(page)
            if page.exists and new_text == page.text:
                return SaveResult(UNCHANGED, revid=page.revid, text=page.text)
            answer = _edit(api, title, page, new_text, summary, extra or {})
        except SaveRefused as refused:
            return SaveResult(REFUSED, key=refused.key, detail=refused.detail)
        except WikiUnreachable as error:
            return SaveResult(RETRY, key="status-wiki-down", detail=str(error))
        except ApiError as error:
            if error.code in LOGIN_CODES:
                return SaveResult(LOGIN, key="status-login-again", detail=error.info)
            kind = classify_error(error.code)
            if kind is ErrorKind.CONFLICT:
                result.conflicts += 1
                page = None
                continue
            if kind is ErrorKind.RETRY_LATER:
                return SaveResult(
                    RETRY, key="status-wiki-busy", detail=f"{error.code}: {error.info}"
                )
            if kind is ErrorKind.GONE:
                return SaveResult(REFUSED, key="error-page-gone", detail=error.info)
            return SaveResult(
                REFUSED, key="error-wiki-refused", detail=f"{error.code}: {error.info}"
            )
        if answer.get("nochange"):
            return SaveResult(UNCHANGED, revid=page.revid, text=new_text)
        if answer.get("result") != "Success":
            return SaveResult(REFUSED, key="error-wiki-refused", detail=str(answer)[:300])
        revid = int(answer["newrevid"])
        try:
            saved = revision_text(api, revid)
        except (WikiUnreachable, ApiError):
            saved = new_text  # the save went through; the journal has its revision id
        if saved != new_text and verify is not None and not verify(saved):
            page = None  # merged with a concurrent edit and lost our change: recompute
            continue
        return SaveResult(SAVED, revid=revid, text=saved, conflicts=result.conflicts)
    return SaveResult(REFUSED, key="error-too-many-conflicts", conflicts=result.conflicts)
