"""Newcomers' account requests in the journal: sent once, never orphaned, always signed up.

An organizer creates a newcomer's account at an event; the account must end up
signed up on the event page, whatever the wiki or the network do meanwhile. So
an account request is journaled like any other submission (kind
``newcomer-account``), already claimed, *before* ``action=createaccount`` is
sent, and its row ends in one of these states::

    saving ─▶ saved     created (or adopted: found in the wiki's newusers log)
       │  ─▶ pending   the answer was lost: checked again until the log decides
       │  ─▶ refused   the wiki said no (captcha, limit, name): the organizer acts

The password is never journaled, so a pending row is never sent again: it is
*settled* instead, by asking the wiki who created the account
(:func:`campaignkit.wiki.account_creation.who_created`). Once created, the
newcomer's sign-up is its own journaled ``newcomer-signup`` submission,
recorded once, retried while the wiki is down. The web form, the "try again"
button and the retry worker (:func:`campaignkit.submissions.writer.attempt`)
all settle rows through :func:`settle`.

The per-address throttle is counted here too: every request sent by an
organizer who is not exempt counts against the tool's one address on that wiki.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from campaignkit.config import Settings
from campaignkit.submissions import journal
from campaignkit.submissions.journal import Submission
from campaignkit.web_settings import WebSettings
from campaignkit.wiki import account_creation as wiki_accounts
from campaignkit.wiki.account_creation import CreationOutcome, canonical_username
from campaignkit.wiki.errors import WikiUnreachable
from campaignkit.wiki.organizer_session import ApiError, OrganizerWiki

if TYPE_CHECKING:  # the writer imports this module when it settles a request
    from campaignkit.submissions.logins import Login
    from campaignkit.submissions.writer import RefreshRequest

ACCOUNT_KIND = "newcomer-account"
SIGNUP_KIND = "newcomer-signup"
UNKNOWN_WINDOW = timedelta(minutes=10)
"""How long a lost answer may stay undecided: a createaccount that has not shown up in
the log by then never finished (PHP's own time limit is far shorter)."""
CLOCK_SLACK = timedelta(minutes=5)
THROTTLE_WINDOW = timedelta(hours=24)
LIMIT_MEMORY = timedelta(days=30)

# The reasons a row's message holds ("key|detail"); they are also the interface's message keys.
CREATED = "newcomer-created"
ADOPTED = "newcomer-adopted"
UNKNOWN = "newcomer-unknown"
CAPTCHA_WRONG = "newcomer-captcha-wrong"
THROTTLED = "newcomer-throttle-reached"
RATE_LIMITED = "newcomer-rate-limited"
NAME_TAKEN = "newcomer-exists"
NOT_CREATED = "newcomer-not-created"
NOT_ALLOWED = "newcomer-not-allowed"
REFUSED = "newcomer-refused"
NOT_SENT = "newcomer-wiki-down"
UNCOUNTED = frozenset({NAME_TAKEN, NOT_SENT})
"""Reasons of requests the wiki refused before its throttle counted them (or never saw)."""


@dataclass(frozen=True)
class AddressBudget:
    """What the tool's one address has likely left on a wiki today.

    ``limit`` is the throttle the wiki last told (in a refusal), else
    Wikimedia's default; ``sent`` counts this tool's requests that the wiki
    counted in the last 24 hours; ``reached`` is set when the wiki refused one
    for the limit in that time.
    """

    wiki: str
    limit: int
    limit_known: bool
    sent: int
    reached: bool

    @property
    def left(self) -> int:
        """Accounts likely left today from the tool's address."""
        return 0 if self.reached else max(0, self.limit - self.sent)


@dataclass(frozen=True)
class NewcomerState:
    """One newcomer at an event: their account request and their sign-up, as one state."""

    username: str
    account: Submission
    signup: Submission | None

    @property
    def state(self) -> str:
        """Where this newcomer stands; also the interface's message suffix.

        ``signed-up``, ``signup-waiting``, ``signup-refused``, ``creating``,
        ``checking`` or ``not-created``.
        """
        status = self.account.status
        if status == journal.SAVED:
            if self.signup is None or self.signup.status in (journal.PENDING, journal.SAVING):
                return "signup-waiting"
            if self.signup.status == journal.REFUSED:
                return "signup-refused"
            return "signed-up"
        if status == journal.SAVING:
            return "creating"
        if status == journal.PENDING:
            return "checking"
        return "not-created"

    @property
    def reason(self) -> tuple[str, str]:
        """The account row's reason key and detail (for "not created")."""
        key, _, detail = self.account.message.partition("|")
        return key, detail

    @property
    def why(self) -> str:
        """Why it was not created, in a word (the interface's message suffix).

        ``captcha``, ``limit``, ``taken``, ``lost`` or ``refused``.
        """
        key = self.reason[0]
        return {
            CAPTCHA_WRONG: "captcha",
            THROTTLED: "limit",
            RATE_LIMITED: "limit",
            NAME_TAKEN: "taken",
            NOT_CREATED: "lost",
            NOT_SENT: "lost",
        }.get(key, "refused")

    @property
    def final(self) -> bool:
        """Nothing more will happen to it without the organizer."""
        return self.state in ("signed-up", "signup-refused", "not-created")


def _user(submission: Submission) -> str:
    return canonical_username(str(submission.payload.get("user", "")))


def created_name(submission: Submission) -> str:
    """The account's name as the wiki created it (its detail once saved)."""
    _key, _, detail = submission.message.partition("|")
    if submission.status == journal.SAVED and detail:
        return detail
    return _user(submission)


def begin(
    settings: Settings,
    *,
    organizer: str,
    event_wiki: str,
    event_title: str,
    account_wiki: str,
    username: str,
    counted: bool,
) -> Submission:
    """Journal an account request, claimed, just before it is sent to the wiki.

    ``counted`` is False when the organizer is exempt from the throttle, so
    their requests do not lower the address's estimate.
    """
    return journal.record(
        settings,
        username=organizer,
        kind=ACCOUNT_KIND,
        wiki=event_wiki,
        title=event_title,
        payload={
            "user": canonical_username(username),
            "account_wiki": account_wiki,
            "counted": counted,
        },
        claimed=True,
    )


def conclude(
    settings: Settings, submission: Submission, outcome: CreationOutcome, *, text: str = ""
) -> str:
    """Write a definite answer of the wiki into the row; return the reason key.

    ``text`` is the wiki's refusal in the organizer's language, for refusals
    the tool has no words of its own for (it is kept in the row, which the
    organizer reads later). ``unknown`` and ``name-taken`` are not definite:
    the caller settles them with :func:`settle` (the organizer's own lost
    attempt may have made the name).
    """
    if outcome.status == wiki_accounts.CREATED:
        name = canonical_username(outcome.username or _user(submission))
        journal.finish(settings, submission.id, journal.SAVED, message=f"{CREATED}|{name}")
        return CREATED
    if outcome.status == wiki_accounts.NOT_SENT:
        key, detail = NOT_SENT, ""
    elif outcome.status == wiki_accounts.CAPTCHA_WRONG:
        key, detail = CAPTCHA_WRONG, ""
    elif outcome.status == wiki_accounts.THROTTLED:
        if outcome.code == "acct_creation_throttle_hit":
            key, detail = THROTTLED, str(outcome.limit or "")
        else:
            key, detail = RATE_LIMITED, outcome.code
    elif outcome.code in wiki_accounts.NOT_ALLOWED_CODES:
        key, detail = NOT_ALLOWED, text or outcome.detail or outcome.code
    else:
        key, detail = REFUSED, text or outcome.detail or outcome.code
    message = f"{key}|{detail}" if detail else key
    journal.finish(settings, submission.id, journal.REFUSED, message=message)
    return key


def settle(settings: Settings, api: OrganizerWiki, submission: Submission) -> Submission:
    """Decide a claimed row whose answer is unknown, from the wiki's own records.

    Created by this organizer since the request began: adopted (saved). Made by
    someone else: the name is taken. Not there yet: pending while the request
    could still finish, then "not created" (the form may be sent again).
    """
    name = _user(submission)
    try:
        record = wiki_accounts.who_created(api, name)
    except (WikiUnreachable, ApiError):  # still unknown: the next settle asks again
        journal.finish(settings, submission.id, journal.PENDING, message=f"{UNKNOWN}|{name}")
        return journal.get(settings, submission.id) or submission
    since = submission.created_at - CLOCK_SLACK
    if record.created_by(submission.username, since) and (
        record.created_at is None or record.created_at >= since
    ):
        journal.finish(settings, submission.id, journal.SAVED, message=f"{ADOPTED}|{record.name}")
    elif record.exists:
        journal.finish(settings, submission.id, journal.REFUSED, message=NAME_TAKEN)
    elif journal.now() - submission.created_at > UNKNOWN_WINDOW:
        journal.finish(settings, submission.id, journal.REFUSED, message=f"{NOT_CREATED}|{name}")
    else:
        journal.finish(settings, submission.id, journal.PENDING, message=f"{UNKNOWN}|{name}")
    return journal.get(settings, submission.id) or submission


def signup_for(settings: Settings, submission: Submission) -> Submission | None:
    """The newcomer's sign-up submission, if one was recorded for this account."""
    name = created_name(submission)
    for row in journal.recent(
        settings,
        kinds=(SIGNUP_KIND,),
        since=submission.created_at - CLOCK_SLACK,
        wiki=submission.wiki,
        title=submission.title,
    ):
        if canonical_username(str(row.payload.get("user", ""))) == name:
            return row
    return None


def sign_up(
    settings: Settings,
    web: WebSettings,
    submission: Submission,
    *,
    login: Login | None = None,
    on_saved: RefreshRequest | None = None,
) -> Submission | None:
    """Sign a created newcomer up on the event page: recorded once, attempted now.

    Two settles of the same account (a double submit, the worker and the page
    at once) find the first sign-up row instead of recording a second; the
    sign-up itself adds the name only if it is not there yet.
    """
    from campaignkit.submissions import writer

    if submission.status != journal.SAVED:
        return None
    existing = signup_for(settings, submission)
    if existing is None:
        existing = journal.record(
            settings,
            username=submission.username,
            kind=SIGNUP_KIND,
            wiki=submission.wiki,
            title=submission.title,
            payload={"user": created_name(submission)},
        )
    if existing.status in (journal.SAVED, journal.REFUSED):
        return existing
    return writer.attempt(settings, web, existing.id, login=login, on_saved=on_saved)


def settle_claimed(
    settings: Settings,
    web: WebSettings,
    submission: Submission,
    login: Login,
    on_saved: RefreshRequest | None = None,
) -> Submission | None:
    """The retry path (worker, "try again"): settle a claimed row, then sign up if created."""
    account_wiki = str(submission.payload.get("account_wiki", submission.wiki))
    if account_wiki not in login.wikis(settings):
        journal.finish(settings, submission.id, journal.PENDING, message="status-login-again")
        return journal.get(settings, submission.id)
    api = login.session_for(settings, web, account_wiki)
    state = settle(settings, api, submission)
    if state.status == journal.SAVED:
        sign_up(settings, web, state, login=login, on_saved=on_saved)
    return journal.get(settings, submission.id)


def latest_request(
    settings: Settings, account_wiki: str, username: str, *, since: datetime
) -> Submission | None:
    """The request that matters for a name on a wiki: a saved one, else the newest open one."""
    name = canonical_username(username)
    rows = [
        row
        for row in journal.recent(settings, kinds=(ACCOUNT_KIND,), since=since)
        if row.payload.get("account_wiki") == account_wiki and _user(row) == name
    ]
    for row in rows:
        if row.status == journal.SAVED:
            return row
    for row in rows:
        if row.status in (journal.PENDING, journal.SAVING):
            return row
    return None


def states_for_event(
    settings: Settings, event_wiki: str, event_title: str, *, since: datetime
) -> list[NewcomerState]:
    """One state per newcomer of an event, newest first: created, signed up, or why not."""
    accounts = journal.recent(
        settings, kinds=(ACCOUNT_KIND,), since=since, wiki=event_wiki, title=event_title
    )
    signups = journal.recent(
        settings, kinds=(SIGNUP_KIND,), since=since, wiki=event_wiki, title=event_title
    )
    chosen: dict[str, Submission] = {}
    for row in accounts:  # newest first: a saved row wins, else the newest
        name = _user(row)
        current = chosen.get(name)
        if current is None or (row.status == journal.SAVED and current.status != journal.SAVED):
            chosen[name] = row
    signup_by_name: dict[str, Submission] = {}
    for row in signups:
        signup_by_name.setdefault(canonical_username(str(row.payload.get("user", ""))), row)
    states = [
        NewcomerState(created_name(row), row, signup_by_name.get(created_name(row)))
        for row in chosen.values()
    ]
    return sorted(states, key=lambda s: s.account.created_at, reverse=True)


def address_budget(settings: Settings, account_wiki: str) -> AddressBudget:
    """How many accounts the tool's address has likely left on a wiki today.

    Counts this tool's requests from non-exempt organizers in the last 24 hours
    (each one counts on the wiki, refused or not, except a name already taken,
    which the wiki refuses before counting). Another tool on the same server
    counts too, so this is an estimate, said as one.
    """
    moment = journal.now()
    rows = [
        row
        for row in journal.recent(
            settings, kinds=(ACCOUNT_KIND,), since=moment - LIMIT_MEMORY, limit=5000
        )
        if row.payload.get("account_wiki") == account_wiki
    ]
    limit = 0
    reached = False
    sent = 0
    for row in rows:  # newest first
        key, _, detail = row.message.partition("|")
        if key == THROTTLED:
            if not limit and detail.isdigit():
                limit = int(detail)
            if row.created_at >= moment - THROTTLE_WINDOW:
                reached = True
        if (
            row.created_at >= moment - THROTTLE_WINDOW
            and row.payload.get("counted")
            and key not in UNCOUNTED
        ):
            sent += 1
    return AddressBudget(
        wiki=account_wiki,
        limit=limit or wiki_accounts.WIKIMEDIA_ACCOUNTS_PER_DAY,
        limit_known=bool(limit),
        sent=sent,
        reached=reached,
    )
