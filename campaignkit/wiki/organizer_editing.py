"""Saving a page as the organizer: the edit core, and what its outcome means to a form.

The rules are the bot's, from the same code (:mod:`campaignkit.wiki.safe_edit`):
read the page and the server time, compute the new text from what was read,
save with ``baserevid`` and ``starttimestamp`` so that a human edit in between
is a conflict and not an overwrite, recompute on a conflict (bounded), read
the saved revision back when MediaWiki may have merged. This module adds only
what is the webservice's own:

- the organizer's session as the transport
  (:class:`~campaignkit.wiki.organizer_transport.OrganizerTransport`);
- a policy that never waits: a person is waiting for the page, and a journaled
  submission is retried later anyway;
- the outcome in the webservice's words: saved (or unchanged), refused with a
  message key the organizer can act on, "retry later" when the wiki is down,
  read-only or lagged (the journaled submission stays pending), or "log in
  again".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from campaignkit.wiki.batch import PageText
from campaignkit.wiki.edit_errors import NOT_JSON, TIMEOUT, UNREACHABLE, ErrorKind
from campaignkit.wiki.organizer_session import OrganizerWiki
from campaignkit.wiki.organizer_transport import OrganizerTransport
from campaignkit.wiki.safe_edit import (
    EditOutcome,
    EditRequest,
    EditResult,
    RetryPolicy,
    TransformError,
    safe_edit,
)

SAVED = "saved"
UNCHANGED = "unchanged"
REFUSED = "refused"
RETRY = "retry"
LOGIN = "login"  # the organizer's session expired: pending until they log in again

NO_WAITING = RetryPolicy(budget=0.0)  # conflicts are retried at once; waits are the journal's


class SaveRefused(TransformError):
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


def _wiki_down(code: str) -> bool:
    return code in (TIMEOUT, UNREACHABLE, NOT_JSON) or code.startswith("http-5")


def save_result(result: EditResult) -> SaveResult:
    """The edit core's outcome as the webservice tells it (message keys of ``i18n/``)."""
    if result.wrote:
        return SaveResult(SAVED, revid=result.revid, text=result.text, conflicts=result.conflicts)
    if result.outcome is EditOutcome.UNCHANGED:
        return SaveResult(UNCHANGED, revid=result.revid, text=result.text)
    if isinstance(result.refusal, SaveRefused):
        return SaveResult(REFUSED, key=result.refusal.key, detail=result.refusal.detail)
    failure, reason = result.failure, result.reason
    if failure is ErrorKind.INVALID and result.refusal is None:
        return SaveResult(REFUSED, key="error-bad-title", detail=reason)
    if failure is ErrorKind.LOGIN:
        return SaveResult(LOGIN, key="status-login-again", detail=reason)
    if failure is ErrorKind.RETRY_LATER:
        key = "status-wiki-down" if _wiki_down(result.code) else "status-wiki-busy"
        return SaveResult(RETRY, key=key, detail=reason)
    if failure is ErrorKind.GONE:
        return SaveResult(REFUSED, key="error-page-gone", detail=reason)
    if failure is ErrorKind.CONFLICT:
        return SaveResult(REFUSED, key="error-too-many-conflicts", conflicts=result.conflicts)
    return SaveResult(REFUSED, key="error-wiki-refused", detail=reason[:300])


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
    request = EditRequest(
        title,
        transform,
        summary,
        verify=verify,
        minor=False,
        current=current,
        extra=dict(extra or {}),
    )
    return save_result(safe_edit(OrganizerTransport(api), request, policy=NO_WAITING))
