"""Carrying out journaled submissions: once, as the organizer, retried while the wiki is down.

A submission names a kind (new campaign, new event, changed event, new
worklist, sign-up, withdrawal, check-in at the event) and holds the
organizer's values. Its new page
text is computed from the page as it is at the moment of each attempt
(:mod:`campaignkit.submissions.page_texts`), so a retry an hour later neither loses a
human edit made meanwhile nor repeats a change that is already there.

Exactly once: the edit summary carries the submission's marker; before a
second attempt the page history is searched for it, so a save whose answer
was lost (timeout, crash) is recognised instead of repeated.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from campaignkit.config import Settings
from campaignkit.manifest import Manifest, load_manifest
from campaignkit.submissions import attendance, journal, logins, page_texts
from campaignkit.submissions.journal import Submission
from campaignkit.web_settings import WebSettings
from campaignkit.wiki.batch import PageText
from campaignkit.wiki.errors import WikiUnreachable
from campaignkit.wiki.organizer_editing import LOGIN, REFUSED, RETRY, SaveResult, save
from campaignkit.wiki.organizer_session import ApiError, OrganizerWiki

log = logging.getLogger(__name__)

RefreshRequest = Callable[[Settings, str, str], None]
"""Asks the bot to refresh a page soon (wiki id, title); each caller brings its own way."""


@dataclass(frozen=True)
class Kind:
    """One kind of submission: how to compute the page and what the summary says."""

    summary: str
    transform: Callable[[Submission, PageText, Manifest], str]
    refresh: bool = True


KINDS: dict[str, Kind] = {
    "new-campaign": Kind(
        "New campaign",
        lambda s, page, m: page_texts.new_campaign_page(page, s.payload["params"], m),
    ),
    "new-event": Kind(
        "New event",
        lambda s, page, m: page_texts.new_event_page(page, s.payload["params"], m),
    ),
    "edit-event": Kind(
        "Event details changed",
        lambda s, page, m: page_texts.changed_event_fields(
            page, s.payload["before"], s.payload["after"], m
        ),
    ),
    "edit-campaign": Kind(
        "Campaign details changed",
        lambda s, page, m: page_texts.changed_campaign_fields(
            page, s.payload["before"], s.payload["after"], m
        ),
    ),
    "new-worklist": Kind(
        "New worklist",
        lambda s, page, m: page_texts.new_worklist_page(page, s.payload["params"], m),
        refresh=False,
    ),
    "signup": Kind(
        "Signing up",
        lambda s, page, m: page_texts.add_participant(page, s.payload["user"], m),
    ),
    "newcomer-signup": Kind(
        # A newcomer whose account is made at the event is there: checked in at once.
        "Signing up a newcomer (account created at the event)",
        lambda s, page, m: attendance.check_in(page, s.payload["user"], m),
    ),
    "check-in": Kind(
        "Checking in at the event",
        lambda s, page, m: attendance.check_in(
            page,
            s.payload["user"],
            m,
            organizer=None if s.payload.get("organizer_confirmed") else s.username,
        ),
    ),
    "withdraw": Kind(
        "Withdrawing",
        lambda s, page, m: page_texts.remove_participant(page, s.payload["user"], m),
    ),
}


def summary_for(settings: Settings, submission: Submission) -> str:
    """The edit summary: what, via which tool, and the marker that makes retries safe."""
    what = KINDS[submission.kind].summary
    user = submission.payload.get("user")
    if user and submission.kind != "signup":
        what = f"{what}: {user}"
    return f"{what} (campaignkit; {submission.marker}; {settings.docs_url})"


def _already_saved(api: OrganizerWiki, submission: Submission) -> int:
    """The revision an earlier attempt saved, if its answer was lost; else 0."""
    answer = api.get(
        action="query",
        prop="revisions",
        titles=submission.title,
        rvprop="ids|comment|user",
        rvlimit="50",
    )
    pages = answer.get("query", {}).get("pages", [])
    for revision in pages[0].get("revisions", []) if pages else []:
        if submission.marker in revision.get("comment", ""):
            return int(revision["revid"])
    return 0


def _finish(
    settings: Settings,
    submission: Submission,
    result: SaveResult,
    on_saved: RefreshRequest | None,
) -> None:
    if result.done:
        journal.finish(settings, submission.id, journal.SAVED, revid=result.revid)
        if KINDS[submission.kind].refresh and on_saved is not None:
            on_saved(settings, submission.wiki, submission.title)
    elif result.outcome in (RETRY, LOGIN):
        journal.finish(settings, submission.id, journal.PENDING, message=result.key)
    else:
        detail = f"{result.key}|{result.detail}" if result.detail else result.key
        journal.finish(settings, submission.id, journal.REFUSED, message=detail)


def attempt(
    settings: Settings,
    web: WebSettings,
    submission_id: str,
    *,
    force: bool = False,
    login: logins.Login | None = None,
    on_saved: RefreshRequest | None = None,
) -> Submission | None:
    """Try one journaled submission now, if nobody else is; return its new state.

    ``on_saved`` is how the caller asks for the bot's refresh of the saved page:
    the web app and the worker reach the bot in different ways (a thread or the
    task queue), and this module, shared by both, imports neither.
    """
    if not journal.claim(settings, submission_id, force=force):
        return journal.get(settings, submission_id)
    submission = journal.get(settings, submission_id)
    assert submission is not None
    login = login or logins.latest_for(settings, submission.username)
    if login is None:
        journal.finish(settings, submission.id, journal.PENDING, message="status-login-again")
        return journal.get(settings, submission_id)
    if submission.wiki not in login.wikis(settings):
        # Logging in again would not help: the account is missing on that wiki (or
        # could not log in there). Kept, and saved once the account works there.
        message = f"status-no-account-on-wiki|{submission.wiki}"
        journal.finish(settings, submission.id, journal.PENDING, message=message)
        return journal.get(settings, submission_id)
    if submission.kind == "newcomer-account":
        # An account request is never sent again (its password is not kept): it is
        # settled from the wiki's newusers log, and signed up once created.
        from campaignkit.submissions import newcomer_accounts

        try:
            return newcomer_accounts.settle_claimed(settings, web, submission, login, on_saved)
        except Exception:  # never leave a claimed row behind
            log.exception("account request %s could not be settled", submission.id)
            journal.finish(settings, submission.id, journal.PENDING, message="status-wiki-down")
            return journal.get(settings, submission_id)
    api = login.session_for(settings, web, submission.wiki)
    wiki = settings.wiki(submission.wiki)
    manifest = load_manifest(wiki.id, wiki.lang)
    try:
        if submission.attempts > 1:
            revid = _already_saved(api, submission)
            if revid:
                _finish(settings, submission, SaveResult("saved", revid=revid), on_saved)
                return journal.get(settings, submission_id)
        kind = KINDS[submission.kind]
        result = save(
            api,
            submission.title,
            lambda page: kind.transform(submission, page, manifest),
            summary_for(settings, submission),
        )
    except WikiUnreachable as error:
        result = SaveResult(RETRY, key="status-wiki-down", detail=str(error))
    except ApiError as error:
        result = SaveResult(REFUSED, key="error-wiki-refused", detail=f"{error.code}: {error.info}")
    except Exception as error:  # never leave a claimed row behind
        log.exception("submission %s failed", submission.id)
        result = SaveResult(RETRY, key="status-wiki-down", detail=type(error).__name__)
    if result.outcome == LOGIN:
        logins.expire_all(settings, submission.username)
    _finish(settings, submission, result, on_saved)
    return journal.get(settings, submission_id)


def retry_due(
    settings: Settings, web: WebSettings, on_saved: RefreshRequest | None = None
) -> dict[str, int]:
    """Attempt every submission that is due; return how many ended in which state."""
    counts: dict[str, int] = {}
    for submission_id in journal.due(settings):
        state = attempt(settings, web, submission_id, on_saved=on_saved)
        if state is not None:
            counts[state.status] = counts.get(state.status, 0) + 1
    return counts
