"""Save a page without ever losing a human edit.

The bot computes new text from what it read, so an edit that lands between its
read and its save must not be overwritten. :func:`apply_edit` therefore:

1. reads the page and the server time (``starttimestamp``);
2. refuses pages with ``{{nobots}}`` / ``{{bots|deny=…}}`` (:mod:`exclusion`);
3. computes the new text with the caller's ``transform`` and stops if nothing changed;
4. saves with the base revision (``baserevid``) and ``starttimestamp`` (so MediaWiki
   reports a conflict instead of overwriting, even for an edit in the same second),
   ``nocreate`` for updates and ``createonly`` for creations, ``assert=bot``, ``maxlag``
   and an md5 of the text;
5. on an edit conflict, re-reads, recomputes from the new text and tries again (bounded);
6. reads the saved revision back and asks ``verify`` whether it holds what we meant:
   MediaWiki silently merges edits to different lines, so the saved text may differ
   from ours and must be checked, not assumed.

API answers are mapped to typed outcomes (saved, unchanged, skipped with a reason,
failed with a reason) so that one bad page never stops a run over many.
"""

from __future__ import annotations

import difflib
import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from campaignkit.wiki import exclusion
from campaignkit.wiki.batch import PageText, read_text
from campaignkit.wiki.connection import WikiConnection
from campaignkit.wiki.errors import WikiError

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 4
SKIP_CODES = {
    "protectedpage": "the page is protected",
    "cascadeprotected": "the page is cascade-protected",
    "protectedtitle": "the title is protected against creation",
    "permissiondenied": "the bot may not edit this page",
    "blocked": "the bot is blocked",
    "autoblocked": "the bot's IP address is blocked",
    "spamblacklist": "the text contains a blacklisted link",
    "abusefilter-disallowed": "an abuse filter refused the edit",
    "titleblacklist-forbidden": "the title is blacklisted",
    "contenttoobig": "the page would be too big",
}
RETRY_LATER_CODES = {"readonly", "ratelimited", "maxlag", "internal_api_error_DBQueryError"}
CONFLICT_CODES = {"editconflict", "articleexists"}
GONE_CODES = {"missingtitle", "pagedeleted"}


class ErrorKind(StrEnum):
    """What an API error code means for the edit that got it."""

    CONFLICT = "conflict"  # re-read and recompute
    GONE = "gone"  # the page was deleted meanwhile
    SKIP = "skip"  # the wiki will keep refusing: report it, do not retry
    RETRY_LATER = "retry-later"  # the wiki is busy or read-only: try again later
    OTHER = "other"


def classify_error(code: str) -> ErrorKind:
    """One classification of API error codes for the bot and the webservice alike."""
    if code in CONFLICT_CODES:
        return ErrorKind.CONFLICT
    if code in GONE_CODES:
        return ErrorKind.GONE
    if code in SKIP_CODES or code.startswith("abusefilter"):
        return ErrorKind.SKIP
    if code in RETRY_LATER_CODES:
        return ErrorKind.RETRY_LATER
    return ErrorKind.OTHER


class EditOutcome(StrEnum):
    """What happened to one page."""

    SAVED = "saved"
    CREATED = "created"
    UNCHANGED = "unchanged"
    DRY_RUN = "dry-run"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass
class EditResult:
    """The outcome of one page's edit, with what a run summary needs."""

    wiki_id: str
    title: str
    outcome: EditOutcome
    reason: str = ""
    revid: int = 0
    attempts: int = 0
    diff: str = ""
    text: str = ""
    conflicts: int = 0
    merged: bool = False

    @property
    def wrote(self) -> bool:
        """Whether a revision was saved."""
        return self.outcome in (EditOutcome.SAVED, EditOutcome.CREATED)


class TransformError(Exception):
    """The caller's transform cannot produce new text; the message says why (page, field)."""


Transform = Callable[[PageText], str]
Verify = Callable[[str], bool]


@dataclass
class EditRequest:
    """What to do to one page."""

    title: str
    transform: Transform
    summary: str | Callable[[PageText, str], str]
    verify: Verify | None = None
    create: bool = True
    contentmodel: str = ""
    minor: bool = True
    current: PageText | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def summary_for(self, page: PageText, new_text: str) -> str:
        """The edit summary, which may depend on what changed."""
        if callable(self.summary):
            return self.summary(page, new_text)
        return self.summary


def unified_diff(wiki_id: str, title: str, old: str, new: str) -> str:
    """A unified diff for dry runs and logs."""
    return "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True),
            new.splitlines(keepends=True),
            fromfile=f"{wiki_id}:{title} (current)",
            tofile=f"{wiki_id}:{title} (bot)",
        )
    )


def bot_may_edit(connection: WikiConnection, title: str, text: str) -> bool:
    """The bot-exclusion rules ({{nobots}}, {{bots|allow=|deny=}}) on text we hold."""
    return exclusion.bot_may_edit(text, connection.farm.settings.bot.main_username)


def _save(connection: WikiConnection, request: EditRequest, page: PageText, new_text: str) -> dict:
    params = {
        "action": "edit",
        "title": request.title,
        "text": new_text,
        "summary": request.summary_for(page, new_text),
        "bot": "1",
        "md5": hashlib.md5(new_text.encode("utf-8")).hexdigest(),
        "token": connection.site.tokens["csrf"],
        "formatversion": "2",
        **request.extra,
    }
    if request.minor:
        params["minor"] = "1"
    if page.exists:
        params["nocreate"] = "1"
        # The base revision is named by id, not by timestamp: timestamps have
        # one-second resolution, and MediaWiki 1.39 takes a human edit saved in the
        # same second as the revision we read for the bot's own (no conflict; the
        # bot would overwrite it). With ``baserevid`` alone MediaWiki compares
        # revision ids. ``starttimestamp`` still catches a deletion since our read.
        params["baserevid"] = str(page.revid)
    else:
        params["createonly"] = "1"
        if request.contentmodel:
            params["contentmodel"] = request.contentmodel
    if page.starttimestamp:
        params["starttimestamp"] = page.starttimestamp
    api_request = connection.site.simple_request(**params)
    api_request["assert"] = "bot"
    return api_request.submit()


def _read_revision(connection: WikiConnection, revid: int) -> str:
    answer = connection.api(
        action="query",
        prop="revisions",
        revids=str(revid),
        rvprop="content",
        rvslots="main",
        formatversion="2",
    )
    pages = answer.get("query", {}).get("pages", [])
    return pages[0]["revisions"][0]["slots"]["main"]["content"]


def apply_edit(
    connection: WikiConnection,
    request: EditRequest,
    *,
    dry_run: bool = False,
    max_attempts: int = MAX_ATTEMPTS,
    backoff: float = 5.0,
) -> EditResult:
    """Compute and save one page's new text, never overwriting a concurrent edit."""
    from pywikibot.exceptions import APIError

    result = EditResult(connection.id, request.title, EditOutcome.FAILED)
    page = request.current
    while result.attempts < max_attempts:
        result.attempts += 1
        try:
            if page is None:
                page = read_text(connection, request.title)
            if page.invalid_reason:
                result.reason = f"invalid title: {page.invalid_reason}"
                return result
            if not page.exists and not request.create:
                result.outcome, result.reason = EditOutcome.SKIPPED, "the page does not exist"
                return result
            if page.exists and not bot_may_edit(connection, request.title, page.text):
                result.outcome, result.reason = EditOutcome.SKIPPED, "{{nobots}} or {{bots}}"
                return result
            new_text = request.transform(page)
            if page.exists and new_text == page.text:
                result.outcome, result.text = EditOutcome.UNCHANGED, page.text
                return result
            result.diff = unified_diff(connection.id, request.title, page.text, new_text)
            if dry_run or connection.farm.simulate:
                result.outcome, result.text = EditOutcome.DRY_RUN, new_text
                return result
            answer = _save(connection, request, page, new_text).get("edit", {})
        except TransformError as error:
            result.reason = str(error)
            return result
        except APIError as error:
            if error.code in ("editconflict", "articleexists"):
                result.conflicts += 1
                log.info("%s:%s: %s, re-reading", connection.id, request.title, error.code)
                page = None
                continue
            if error.code in ("missingtitle", "pagedeleted"):
                result.outcome = EditOutcome.SKIPPED
                result.reason = "the page was deleted while the bot worked on it"
                return result
            if error.code in SKIP_CODES or error.code.startswith("abusefilter"):
                result.outcome = EditOutcome.SKIPPED
                result.reason = SKIP_CODES.get(error.code, error.info)
                return result
            if error.code in RETRY_LATER_CODES and result.attempts < max_attempts:
                log.warning(
                    "%s:%s: %s, waiting %.0f s",
                    connection.id,
                    request.title,
                    error.code,
                    backoff * result.attempts,
                )
                time.sleep(backoff * result.attempts)  # the wiki asked us to slow down
                page = None
                continue
            result.reason = f"API error {error.code}: {error.info}"
            return result
        except WikiError as error:
            result.reason = str(error)
            return result
        if answer.get("nochange"):
            result.outcome, result.text = EditOutcome.UNCHANGED, new_text
            return result
        if answer.get("result") != "Success":
            result.reason = f"the wiki did not save: {answer}"
            return result
        result.revid = answer["newrevid"]
        saved = _read_revision(connection, result.revid)
        result.text = saved
        if saved != new_text:
            result.merged = True
            if request.verify is not None and not request.verify(saved):
                log.warning(
                    "%s:%s: saved revision %s was merged and lost the bot's change; recomputing",
                    connection.id,
                    request.title,
                    result.revid,
                )
                page = None
                continue
        result.outcome = EditOutcome.SAVED if page.exists else EditOutcome.CREATED
        return result
    result.outcome = EditOutcome.FAILED
    result.reason = result.reason or f"gave up after {result.attempts} attempts (edit conflicts)"
    return result
