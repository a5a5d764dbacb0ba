"""One conflict-safe save for every writer: bot jobs, the template installer, organizers' forms.

Whoever saves — the bot through pywikibot, an organizer through their own
session — computes new text from what it read, so an edit that lands between
that read and the save must never be overwritten. :func:`safe_edit` holds the
rules, once; a transport (:class:`EditTransport`: the bot's in
:mod:`~campaignkit.wiki.bot_transport`, the organizer's in
:mod:`~campaignkit.wiki.organizer_transport`) only carries the requests:

1. read the page and the server time (``starttimestamp``), unless the caller
   read it already (``EditRequest.current``, from a batched read);
2. a bot respects ``{{nobots}}`` / ``{{bots|deny=…}}`` (:mod:`exclusion`);
3. compute the new text with the caller's ``transform``, and send nothing when
   it equals the page as the wiki stores it (trailing whitespace trimmed; JSON
   pages compared as data, since MediaWiki stores JSON normalized: ``3.0``
   comes back as ``3``);
4. save with ``baserevid`` and ``starttimestamp``, ``nocreate`` for updates and
   ``createonly`` for creations, an md5 of the text, the account's assertion
   (``assert=bot`` and the bot flag for the bot; ``assert=user`` and
   ``assertuser`` for a person). Never ``basetimestamp``: with it MediaWiki
   1.39 suppresses the conflict when "the same user" edited last, looking only
   at revisions after that second, so a person's edit in the same second as
   the base revision would be overwritten; the revision id has no such hole;
5. on an edit conflict, re-read, recompute from the new text and try again
   (bounded by :class:`RetryPolicy`);
6. read the saved revision back only when MediaWiki may have merged a
   concurrent edit into ours (it merges edits to other lines silently): when
   its answer's ``oldrevid`` is not the ``baserevid`` we sent. Then ``verify``
   says whether the merged text still holds our change; if not, recompute.

Every failure ends as a value. Transports raise only
:class:`~campaignkit.wiki.edit_errors.TransportError`, classified once by
:func:`~campaignkit.wiki.edit_errors.classify_error`. A read-only, lagged or
unreachable wiki is waited for with a bounded backoff that honours
``Retry-After`` within a time budget per page, and then reported with
``failure=RETRY_LATER``, so that a run can leave that wiki for a later run.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from campaignkit.wiki import exclusion
from campaignkit.wiki.batch import READ_PARAMS, PageText
from campaignkit.wiki.edit_errors import ErrorKind, TransportError, classify_error, describe

log = logging.getLogger(__name__)


class EditTransport(Protocol):
    """One account's way to one wiki. Every method raises only ``TransportError``."""

    @property
    def wiki_id(self) -> str:
        """The configured wiki id (for results and log lines)."""
        ...

    @property
    def username(self) -> str:
        """The account that edits (for ``{{bots|deny=…}}`` and ``assertuser``)."""
        ...

    @property
    def is_bot(self) -> bool:
        """Whether edits carry the bot flag, assert the bot right and respect ``{{nobots}}``."""
        ...

    def read_page(self, title: str) -> PageText:
        """The page's latest revision and the server's time (see :func:`read_page_params`)."""
        ...

    def read_revision(self, revid: int) -> str:
        """The text of one revision (see :func:`revision_params`)."""
        ...

    def token(self, *, fresh: bool = False) -> str:
        """A CSRF token; ``fresh`` after the wiki answered ``badtoken``."""
        ...

    def send_edit(self, params: dict[str, str]) -> dict[str, Any]:
        """Send ``action=edit`` as given; return the answer's ``edit`` object."""
        ...


def read_page_params(title: str) -> dict[str, str]:
    """The request that reads one page for an edit: text, revision, server time."""
    return {"action": "query", "titles": title, "formatversion": "2", **READ_PARAMS}


def page_from_answer(answer: dict[str, Any], title: str) -> PageText:
    """The page of a :func:`read_page_params` answer."""
    pages = answer.get("query", {}).get("pages", [])
    if not pages:
        return PageText(title, False, invalid_reason="not returned by the API")
    return PageText.from_api(pages[0], answer.get("curtimestamp", ""))


def revision_params(revid: int) -> dict[str, str]:
    """The request that reads one saved revision back."""
    return {
        "action": "query",
        "prop": "revisions",
        "revids": str(revid),
        "rvprop": "content",
        "rvslots": "main",
        "formatversion": "2",
    }


def revision_from_answer(answer: dict[str, Any], wiki_id: str, revid: int) -> str:
    """The text of a :func:`revision_params` answer."""
    try:
        return answer["query"]["pages"][0]["revisions"][0]["slots"]["main"]["content"]
    except (KeyError, IndexError, TypeError):
        raise TransportError(wiki_id, "nosuchrevid", f"revision {revid} was not returned") from None


class EditOutcome(StrEnum):
    """What happened to one page."""

    SAVED = "saved"
    CREATED = "created"
    UNCHANGED = "unchanged"
    DRY_RUN = "dry-run"
    SKIPPED = "skipped"
    FAILED = "failed"


class TransformError(Exception):
    """The caller's transform cannot produce new text; the message says why (page, field)."""


@dataclass
class EditResult:
    """The outcome of one page's edit, with what a run summary needs.

    ``failure`` says what kind of trouble ended the edit when it was not done
    (``None`` for a deliberate skip such as ``{{nobots}}``). ``RETRY_LATER``
    and ``LOGIN`` are about the wiki, not the page: a run may leave the wiki's
    other pages for a later run (:attr:`wiki_unavailable`).
    """

    wiki_id: str
    title: str
    outcome: EditOutcome
    reason: str = ""
    revid: int = 0
    # The revision the save replaced, when MediaWiki's answer proves nothing came in
    # between (0 otherwise): a task that recorded facts of that revision which the
    # bot's own regions cannot change may carry them over to ``revid``.
    base_revid: int = 0
    attempts: int = 0
    diff: str = ""
    text: str = ""
    conflicts: int = 0
    merged: bool = False
    failure: ErrorKind | None = None
    code: str = ""  # the wiki's error code (or a transport code) of the last failure
    refusal: TransformError | None = None  # the transform's own refusal, when it refused

    @property
    def wrote(self) -> bool:
        """Whether a revision was saved."""
        return self.outcome in (EditOutcome.SAVED, EditOutcome.CREATED)

    @property
    def wiki_unavailable(self) -> bool:
        """Whether the wiki itself could not take the edit (read-only, down, login gone)."""
        return self.failure in (ErrorKind.RETRY_LATER, ErrorKind.LOGIN)

    def end(
        self, outcome: EditOutcome, reason: str = "", failure: ErrorKind | None = None
    ) -> EditResult:
        """Settle the outcome (replacing what earlier attempts noted) and return the result."""
        self.outcome, self.reason, self.failure = outcome, reason, failure
        return self


Transform = Callable[[PageText], str]
Verify = Callable[[str], bool]


@dataclass
class EditRequest:
    """What to do to one page.

    ``contentmodel`` is sent when the page is created; ``"json"`` also makes
    "nothing changed" a comparison of data, not text. ``extra`` parameters go
    with the edit, under the ones the rules above decide.
    """

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


@dataclass(frozen=True)
class RetryPolicy:
    """How long one page may be tried: attempts, waits, and a time budget.

    Conflicts are retried at once; a wiki that is read-only, lagged or down is
    waited for (``Retry-After`` when the wiki sends one, else doubling from
    ``first_wait``), but never past ``budget`` seconds for the page: a run
    over hundreds of pages must not hang on one wiki's maintenance window.
    """

    attempts: int = 4
    first_wait: float = 5.0
    longest_wait: float = 60.0
    budget: float = 120.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic

    def wait(self, failed_attempt: int, retry_after: float | None) -> float:
        """Seconds to wait after this attempt failed with a retry-later error."""
        if retry_after is not None:
            return retry_after
        return min(self.first_wait * 2 ** (failed_attempt - 1), self.longest_wait)


DEFAULT_POLICY = RetryPolicy()


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


def _stored_form(text: str) -> str:
    # What MediaWiki's TextContent keeps: line endings normalized, PHP's rtrim()
    # (which trims only these characters; Python's rstrip() would also eat NBSP).
    return text.replace("\r\n", "\n").replace("\r", "\n").rstrip(" \t\n\r\0\x0b")


def _same_data(a: Any, b: Any) -> bool:
    # json.loads equality, but true is not 1: only the number forms may differ.
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same_data(a[key], b[key]) for key in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same_data(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def same_content(current: str, new: str, contentmodel: str = "") -> bool:
    """Whether saving ``new`` over ``current`` would change nothing the wiki keeps."""
    if contentmodel == "json":
        try:
            return _same_data(json.loads(current), json.loads(new))
        except ValueError:
            pass  # not JSON (yet): compare as text
    return _stored_form(current) == _stored_form(new)


def edit_params(
    transport: EditTransport, request: EditRequest, page: PageText, new_text: str, token: str
) -> dict[str, str]:
    """Everything ``action=edit`` is sent (see the module docstring for why each)."""
    params = {
        **request.extra,
        "action": "edit",
        "title": request.title,
        "text": new_text,
        "summary": request.summary_for(page, new_text),
        "md5": hashlib.md5(new_text.encode("utf-8")).hexdigest(),
        "token": token,
        "formatversion": "2",
    }
    if transport.is_bot:
        params["bot"] = "1"
        params["assert"] = "bot"
    else:
        params["assert"] = "user"
        if transport.username:
            params["assertuser"] = transport.username
    if request.minor:
        params["minor"] = "1"
    if page.exists:
        params["nocreate"] = "1"
        params["baserevid"] = str(page.revid)
    else:
        params["createonly"] = "1"
        if request.contentmodel:
            params["contentmodel"] = request.contentmodel
    if page.starttimestamp:
        params["starttimestamp"] = page.starttimestamp
    return params


def needs_read_back(page: PageText, answer: dict[str, Any]) -> bool:
    """Whether MediaWiki may have merged another edit into the one it just saved.

    A creation (``createonly``) has nothing to merge with, and an answer whose
    ``oldrevid`` is the ``baserevid`` we sent proves that no revision came in
    between. Only otherwise is the saved revision worth a request.
    """
    if not page.exists:
        return False
    oldrevid = answer.get("oldrevid")
    return oldrevid is None or int(oldrevid) != page.revid


def _refused(
    transport: EditTransport, request: EditRequest, page: PageText
) -> tuple[EditOutcome, str, ErrorKind | None] | None:
    """Why this page is not to be edited at all, if it is not."""
    if page.invalid_reason:
        return EditOutcome.FAILED, f"invalid title: {page.invalid_reason}", ErrorKind.INVALID
    if not page.exists and not request.create:
        return EditOutcome.SKIPPED, "the page does not exist", ErrorKind.GONE
    if (
        transport.is_bot
        and page.exists
        and not exclusion.bot_may_edit(page.text, transport.username)
    ):
        return EditOutcome.SKIPPED, "{{nobots}} or {{bots}}", None
    return None


def _refused_answer(result: EditResult, answer: dict[str, Any]) -> EditResult:
    """An ``edit`` answer without ``Success`` (a CAPTCHA, an extension's refusal)."""
    code = str(answer.get("code") or ("captcha" if "captcha" in answer else "failure"))
    info = str(answer.get("info") or answer.get("warning") or answer)[:300]
    result.code = code
    kind = classify_error(code)
    outcome = EditOutcome.SKIPPED if kind is ErrorKind.SKIP else EditOutcome.FAILED
    return result.end(outcome, describe(code, info), kind)


def safe_edit(
    transport: EditTransport,
    request: EditRequest,
    *,
    dry_run: bool = False,
    policy: RetryPolicy = DEFAULT_POLICY,
) -> EditResult:
    """Compute and save one page's new text, never overwriting a concurrent edit."""
    result = EditResult(transport.wiki_id, request.title, EditOutcome.FAILED)
    where = f"{transport.wiki_id}:{request.title}"
    started = policy.clock()
    page = request.current
    fresh_token = False
    while result.attempts < policy.attempts:
        result.attempts += 1
        try:
            if page is None:
                page = transport.read_page(request.title)
            refused = _refused(transport, request, page)
            if refused is not None:
                return result.end(*refused)
            new_text = request.transform(page)
            if page.exists and same_content(page.text, new_text, request.contentmodel):
                result.revid, result.text = page.revid, page.text
                return result.end(EditOutcome.UNCHANGED)
            result.diff = unified_diff(transport.wiki_id, request.title, page.text, new_text)
            if dry_run:
                result.text = new_text
                return result.end(EditOutcome.DRY_RUN)
            token = transport.token(fresh=fresh_token)
            answer = transport.send_edit(edit_params(transport, request, page, new_text, token))
        except TransformError as error:
            result.refusal = error
            return result.end(EditOutcome.FAILED, str(error), ErrorKind.INVALID)
        except TransportError as error:
            result.code = error.code
            kind = error.kind
            reason = describe(error.code, error.info)
            if kind is ErrorKind.CONFLICT:
                result.conflicts += 1
                log.info("%s: %s, re-reading", where, error.code)
                result.end(EditOutcome.FAILED, f"{result.conflicts} edit conflicts", kind)
                page = None
                continue
            if error.code == "badtoken" and not fresh_token:
                fresh_token = True  # the session renewed its tokens: once more with a new one
                result.end(EditOutcome.FAILED, reason, kind)
                continue
            if kind is ErrorKind.RETRY_LATER:
                wait = policy.wait(result.attempts, error.retry_after)
                elapsed = policy.clock() - started
                if result.attempts < policy.attempts and elapsed + wait <= policy.budget:
                    log.warning("%s: %s; trying again in %.0f s", where, reason, wait)
                    policy.sleep(wait)
                    page = None  # the page may have changed while we waited
                    continue
                return result.end(EditOutcome.FAILED, reason, kind)
            skipped = kind in (ErrorKind.GONE, ErrorKind.SKIP)
            return result.end(EditOutcome.SKIPPED if skipped else EditOutcome.FAILED, reason, kind)
        if answer.get("nochange"):
            result.revid, result.text = page.revid, new_text
            return result.end(EditOutcome.UNCHANGED)
        if answer.get("result") != "Success":
            return _refused_answer(result, answer)
        done = EditOutcome.SAVED if page.exists else EditOutcome.CREATED
        result.revid, result.text = int(answer.get("newrevid", 0)), new_text
        result.merged = needs_read_back(page, answer)
        if not result.merged:
            result.base_revid = page.revid if page.exists else 0
            return result.end(done)
        try:
            saved = transport.read_revision(result.revid)
        except TransportError as error:
            note = describe(error.code, error.info)
            return result.end(
                done, f"saved; revision {result.revid} could not be read back to check it ({note})"
            )
        result.text = saved
        if request.verify is not None and not request.verify(saved):
            log.warning(
                "%s: saved revision %s was merged with a concurrent edit and lost the change; "
                "recomputing",
                where,
                result.revid,
            )
            reason = "merged with a concurrent edit that undid the change"
            result.end(EditOutcome.FAILED, reason, ErrorKind.CONFLICT)
            page = None
            continue
        return result.end(done)
    if result.failure is None:
        result.failure = ErrorKind.CONFLICT
    result.reason = f"gave up after {result.attempts} attempts ({result.reason})"
    result.outcome = EditOutcome.FAILED
    return result
