"""What a wiki's refusal means for an edit: one classification for the bot and the webservice.

A save can fail in two ways: the wiki answers with an API error code
(``editconflict``, ``readonly``, ``protectedpage``, …), or the request never
gets a JSON answer (timeout, connection reset, HTTP 503). The transports of
:mod:`campaignkit.wiki.safe_edit` turn both into a :class:`TransportError`
with a code — the wiki's own, or one of the transport codes below — and
:func:`classify_error` decides, in this one place, what the code means:
recompute (conflict), give up on the page (skip), try again later (the wiki is
read-only, lagged or down), or log in again. The bot and the webservice
therefore agree on what "retry later" means.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum
from typing import Any

from campaignkit.wiki.errors import WikiError

# Codes for failures that never reached MediaWiki's API (the transports make them).
TIMEOUT = "timeout"
UNREACHABLE = "unreachable"
NOT_JSON = "not-json"
LOGIN_FAILED = "login-failed"
BUSY = "busy"  # the client was told to wait, without a code


def http_code(status: int) -> str:
    """The code of an HTTP error answer (``http-503``)."""
    return f"http-{status}"


SKIP_CODES = {
    "protectedpage": "the page is protected",
    "cascadeprotected": "the page is cascade-protected",
    "protectedtitle": "the title is protected against creation",
    "protectednamespace": "the namespace is protected",
    "protectednamespace-interface": "the interface namespace is protected",
    "permissiondenied": "the account may not edit this page",
    "blocked": "the account is blocked",
    "autoblocked": "the account's IP address is blocked",
    "spamblacklist": "the text contains a blacklisted link",
    "abusefilter-disallowed": "an abuse filter refused the edit",
    "abusefilter-warning": "an abuse filter warned about the edit",
    "titleblacklist-forbidden": "the title is blacklisted",
    "contenttoobig": "the page would be too big",
    "captcha": "the wiki asks for a CAPTCHA (the account lacks the skipcaptcha right)",
}
RETRY_LATER_CODES = {
    "readonly": "the wiki is read-only (maintenance)",
    "maxlag": "the wiki's database replicas lag behind",
    "ratelimited": "the account's edit rate limit was reached",
    "internal_api_error_DBQueryError": "the wiki's database failed",
    "internal_api_error_DBConnectionError": "the wiki's database cannot be reached",
    "internal_api_error_DBQueryTimeoutError": "the wiki's database timed out",
    "internal_api_error_DBUnexpectedError": "the wiki's database failed",
    "internal_api_error_ReadOnlyError": "the wiki is read-only (maintenance)",
    "lockmanager-fail-conflict": "the wiki is busy with this page",
    TIMEOUT: "the wiki did not answer in time",
    UNREACHABLE: "the wiki cannot be reached",
    NOT_JSON: "the wiki did not answer with JSON",
    BUSY: "the wiki asked to wait",
}
LOGIN_CODES = {
    "assertuserfailed": "the login has expired",
    "assertbotfailed": "the bot is no longer logged in as a bot",
    "assertnameduserfailed": "the login belongs to someone else",
    "notloggedin": "the login has expired",
    "badtoken": "the wiki refused the edit token twice",
    "mwoauth-invalid-authorization": "the OAuth authorization was refused",
    LOGIN_FAILED: "the wiki refused the login",
}
CONFLICT_CODES = {"editconflict", "articleexists"}
GONE_CODES = {
    "missingtitle": "the page was deleted while it was being edited",
    "pagedeleted": "the page was deleted while it was being edited",
}


class ErrorKind(StrEnum):
    """What a failure means for the edit that got it (and for the run it is part of)."""

    CONFLICT = "conflict"  # re-read and recompute
    GONE = "gone"  # the page was deleted meanwhile
    SKIP = "skip"  # the wiki will keep refusing this page: report it, do not retry
    RETRY_LATER = "retry-later"  # the wiki is read-only, lagged or down: try again later
    LOGIN = "login"  # the session is gone: log in again before editing this wiki
    INVALID = "invalid"  # the change cannot be made to this page (bad title, transform refused)
    OTHER = "other"  # an answer nobody foresaw; reported with the wiki's words


def classify_error(code: str) -> ErrorKind:
    """One classification of error codes for the bot and the webservice alike."""
    if code in CONFLICT_CODES:
        return ErrorKind.CONFLICT
    if code in GONE_CODES:
        return ErrorKind.GONE
    if code in LOGIN_CODES:
        return ErrorKind.LOGIN
    if code in SKIP_CODES or code.startswith("abusefilter"):
        return ErrorKind.SKIP
    if code in RETRY_LATER_CODES or code.startswith("http-5"):
        return ErrorKind.RETRY_LATER
    return ErrorKind.OTHER


def describe(code: str, info: str = "") -> str:
    """A reason a person can read: what the code means, then the wiki's own words."""
    known = (
        SKIP_CODES.get(code)
        or RETRY_LATER_CODES.get(code)
        or LOGIN_CODES.get(code)
        or GONE_CODES.get(code)
    )
    if known is None and code.startswith("http-5"):
        known = f"the wiki answered HTTP {code.removeprefix('http-')}"
    if known is None:
        return f"API error {code}: {info}" if info else f"API error {code}"
    return f"{known} ({code}: {info})" if info else known


def retry_after_seconds(headers: Any) -> float | None:
    """The wait a ``Retry-After`` header asks for (seconds or an HTTP date), if any."""
    value = (headers or {}).get("Retry-After") or (headers or {}).get("retry-after")
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


class TransportError(WikiError):
    """A request of an edit failed: the wiki's error code (or a transport code) and its words.

    Transports raise only this, so that the edit core sees every failure —
    API error, timeout, HTTP 5xx, lost connection — as a code it can classify.
    """

    def __init__(
        self, wiki_id: str, code: str, info: str = "", retry_after: float | None = None
    ) -> None:
        super().__init__(wiki_id, describe(code, info))
        self.code = code
        self.info = info
        self.retry_after = retry_after

    @property
    def kind(self) -> ErrorKind:
        """What this failure means for the edit."""
        return classify_error(self.code)
