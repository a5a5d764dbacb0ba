"""When did each participant sign up? The revision that added their line says.

The run time would be wrong (a run may come days later), so the sign-up time is
the timestamp of the revision that added the sign-up. Times found once are kept
in the bot's own participants table, so only new names ("pending") are dated,
and dating must not grow with the page's history: Meta's sign-up pages have
thousands of revisions, and reading them all, 50 texts per request, took
minutes per page.

How a name is dated, in order:

1. **List revision ids and timestamps, no text.** The API gives 5,000 per request
   to a bot (``apihighlimits``), 500 otherwise. With ``since_revid`` (the
   revision the bot last processed, whose table holds every name signed up by
   then) only the revisions after it are listed: ``rvendid`` bounds the list, so
   a scheduled run lists a handful of revisions in one request. Without it (a
   first run, a lost page state) the whole history is listed.
2. **Search, reading text only where it decides something.** Every pending name
   is in the latest revision. The names are kept in groups with a bracket: a
   revision where they are absent (or "before the page existed") and a later one
   where they are present. Each round reads the text of
   :data:`PROBES_PER_ROUND` revisions spread evenly inside the open brackets (at
   least one per bracket; ``revids=a|b|…``, main slot only, up to
   :data:`CONTENT_PER_REQUEST` a request) and narrows every group's bracket to
   the last probe where the name is absent and the next one. A bracket with
   nothing between its ends is solved: the name was added by the upper
   revision. With ``since_revid`` the first probe of a search is that revision,
   so names added since then are searched among the new revisions only; a
   pending name already present there (a table row without a time, a row
   removed by hand) falls back to the older history.

Cost, in API requests for one page of *n* revisions:

- listing: ``ceil(r / 5000)`` for a bot, ``ceil(r / 500)`` otherwise, where *r*
  is the number of revisions listed (those after ``since_revid``, or *n*);
- text: a group of names added by the same edit is solved in
  ``ceil(log(n) / log(17))`` rounds of one request (4 for 5,000 revisions, at
  most 16 texts each); *g* separate additions share rounds, ``ceil(g / 50)``
  requests a round, about ``log2(n / g)`` rounds; no text is read twice; and
  never more than ``max_content_requests`` (:data:`MAX_CONTENT_REQUESTS`).

A scheduled run (fewer than 16 revisions since the last one) costs two
requests. The seconds are mostly the parsing of the texts read (``names_in``:
0.1 s for a page of 100 sign-ups, 0.6 s for 500, on this machine), so fewer
texts matter as much as fewer requests; that is why a round reads 16 texts and
not the 50 a request could carry. benchmarks/signup_dating_benchmark.py
measures pages of 500 and 5,000 revisions (the old walk from the newest
revision included).

When the bound stops a search, the name is dated at the upper end of its
bracket, the earliest revision seen to hold it, and a warning is logged: the
person had certainly signed up by then (the lower end is a time they had not),
and a name left undated would be pending again at every run and pay the search
again, which is the unbounded cost this module exists to remove. It happens
only on a first run over a long history with many separate sign-ups, and the
rounds narrow every bracket alike, so the estimates are close: on the
benchmark's page of 5,000 revisions and 500 separate sign-ups, 20 text
requests (61 s; the old walk took 100 requests and 722 s) dated every name at
most 4 revisions after its addition, 137 of them exactly.

A name that was removed and added again counts from its latest addition that
the probes can see: each bracket keeps the *last* probe where the name was
absent. Additions and removals between two probes of a first run cannot be
seen; on later runs a re-added name is searched after ``since_revid`` and is
exact. A revision whose text is hidden (revision deletion) is never a probe.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from campaignkit.wiki.connection import WikiConnection
from campaignkit.wiki.users import parse_timestamp

log = logging.getLogger(__name__)

# Revisions whose text one request reads: the most ``revids`` takes without
# apihighlimits. A bot may ask 500, but 500 copies of a long sign-up page make a
# response of tens of megabytes, beyond $wgAPIMaxResultSize (8 MB).
CONTENT_PER_REQUEST = 50
# Text requests per page and call. The benchmark's first run over 5,000
# revisions needs 15 with 100 separate sign-ups and 37 with 500: the bound
# bites on first runs of the longest and busiest pages only.
MAX_CONTENT_REQUESTS = 20
# Texts read a round. More probes save rounds (requests) and cost parsing: for
# one group in 5,000 revisions, 50 probes take 3 requests and read ~100 texts,
# 16 take 4 and read ~48, 4 take 6 and read ~20 (benchmark, "state lost").
PROBES_PER_ROUND = 16

BEFORE_FIRST = None  # a bracket's lower end "before the first revision": everyone absent


@dataclass(frozen=True)
class Revision:
    """One revision as listed: id and time, no text."""

    revid: int
    timestamp: datetime


@dataclass(frozen=True)
class SignupDate:
    """When one name was signed up, and which revision says so.

    ``exact`` is False when the search stopped at its bound: the sign-up happened
    at or before ``timestamp`` (the earliest revision seen to hold the name).
    """

    timestamp: datetime
    revid: int
    exact: bool = True


@dataclass
class SignupDating:
    """The dates found for one page and what finding them cost."""

    dates: dict[str, SignupDate] = field(default_factory=dict)
    listing_requests: int = 0
    content_requests: int = 0
    revisions_listed: int = 0
    texts_read: int = 0

    @property
    def requests(self) -> int:
        """API requests made for this page."""
        return self.listing_requests + self.content_requests

    @property
    def estimated(self) -> list[str]:
        """Names dated at the upper end of their bracket (the bound was reached)."""
        return sorted(name for name, date in self.dates.items() if not date.exact)


Bracket = tuple[int | None, int]  # (revid where absent or BEFORE_FIRST, revid where present)


class _History:
    """The page's revisions listed so far (oldest first) and the texts read."""

    def __init__(
        self,
        connection: WikiConnection,
        title: str,
        watched: set[str],
        names_in: Callable[[str], set[str]],
        dating: SignupDating,
    ) -> None:
        self.connection = connection
        self.title = title
        self.watched = watched
        self.names_in = names_in
        self.dating = dating
        self.revisions: list[Revision] = []
        self.position: dict[int, int] = {}
        self.complete = False  # the oldest revision is listed
        self.present: dict[int, frozenset[str]] = {}  # revid -> watched names in its text

    # --- listing ---------------------------------------------------------------

    def list_newest(self, start: dict[str, str], since_revid: int | None) -> None:
        """List from the latest revision back to ``since_revid`` (or the first one)."""
        if since_revid is not None:
            try:
                listed = self._list(start, end_revid=since_revid)
            except Exception as error:  # pywikibot's APIError, which carries the API's code
                if getattr(error, "code", None) != "badid_rvendid":  # the revision is gone
                    raise
                listed = []
            if listed and listed[-1].revid == since_revid:
                self._set(listed, complete=False)
                return
            log.info("%s: revision %s is not in its history; listing all", self.title, since_revid)
        self._set(self._list(start, end_revid=None), complete=True)

    def list_older(self) -> None:
        """List the rest of the history, older than the oldest revision listed."""
        oldest = self.revisions[0].revid
        older = [r for r in self._list({"rvstartid": str(oldest)}, None) if r.revid != oldest]
        self._set(self.revisions[::-1] + older, complete=True)

    def _set(self, newest_first: list[Revision], *, complete: bool) -> None:
        self.revisions = newest_first[::-1]
        self.position = {r.revid: i for i, r in enumerate(self.revisions)}
        self.complete = complete

    def _list(self, start: dict[str, str], end_revid: int | None) -> list[Revision]:
        params: dict[str, str] = {
            "action": "query",
            "prop": "revisions",
            "titles": self.title,
            "rvprop": "ids|timestamp",
            "rvlimit": "max",
            "rvdir": "older",
            "formatversion": "2",
            **start,
        }
        if end_revid is not None:
            params["rvendid"] = str(end_revid)
        listed: list[Revision] = []
        continuation: dict[str, str] = {"continue": ""}
        while True:
            self.dating.listing_requests += 1  # counted when it fails too
            answer = self.connection.api(**params, **continuation)
            for revision in _revisions(answer):
                when = parse_timestamp(revision.get("timestamp"))
                if when is not None:
                    listed.append(Revision(int(revision["revid"]), when))
            if "continue" not in answer:
                break
            continuation = answer["continue"]
        self.dating.revisions_listed += len(listed)
        return listed

    # --- reading texts ---------------------------------------------------------

    def read(self, revids: list[int]) -> None:
        """Which watched names each revision's text holds; unreadable texts are dropped."""
        wanted = {str(revid) for revid in revids}
        params = {
            "action": "query",
            "prop": "revisions",
            "revids": "|".join(sorted(wanted)),
            "rvprop": "ids|content",
            "rvslots": "main",
            "formatversion": "2",
        }
        continuation: dict[str, str] = {"continue": ""}
        answered: set[int] = set()
        while True:  # a response beyond $wgAPIMaxResultSize continues
            self.dating.content_requests += 1
            answer = self.connection.api(**params, **continuation)
            for revision in _revisions(answer):
                main = revision.get("slots", {}).get("main", {})
                if "content" in main:
                    revid = int(revision["revid"])
                    answered.add(revid)
                    self.present[revid] = frozenset(self.names_in(main["content"]) & self.watched)
                    self.dating.texts_read += 1
            if "continue" not in answer:
                break
            continuation = answer["continue"]
        unreadable = [revid for revid in revids if revid not in answered]
        if unreadable:  # hidden or gone: never a probe, never a bracket's end
            log.info("%s: revisions without readable text: %s", self.title, unreadable)
            kept = [r for r in self.revisions if r.revid not in set(unreadable)]
            self.revisions = kept
            self.position = {r.revid: i for i, r in enumerate(kept)}

    # --- brackets --------------------------------------------------------------

    def low_index(self, low: int | None) -> int:
        return -1 if low is BEFORE_FIRST else self.position[low]

    def solved(self, bracket: Bracket) -> bool:
        """Nothing lies between the bracket's ends: the upper revision added the names."""
        low, high = bracket
        if low is BEFORE_FIRST and not self.complete:
            return False
        return self.position[high] - self.low_index(low) == 1

    def probes(self, bracket: Bracket, count: int) -> list[int]:
        """Up to ``count`` unread revisions spread evenly inside the bracket."""
        low, high = bracket
        if low is BEFORE_FIRST and not self.complete:
            if self.position[high] == 0:  # present since before the listed part
                self.list_older()
            else:  # the search starts at ``since_revid``, the oldest revision listed
                first = self.revisions[0].revid
                rest = self.probes((first, high), count - 1) if count > 1 else []
                return [first, *rest] if first not in self.present else rest
        start, end = self.low_index(low), self.position[high]
        inside = end - start - 1
        picked: Iterable[int] = range(start + 1, end)
        if inside > count:
            picked = [start + (j * (inside + 1)) // (count + 1) for j in range(1, count + 1)]
        return [
            self.revisions[i].revid for i in picked if self.revisions[i].revid not in self.present
        ]

    def narrow(self, bracket: Bracket, names: set[str]) -> dict[Bracket, set[str]]:
        """Each name's new bracket: the last read revision without it, and the next one read."""
        low, high = bracket
        start, end = self.low_index(low), self.position[high]
        known = [r.revid for r in self.revisions[start + 1 : end] if r.revid in self.present]
        narrowed: dict[Bracket, set[str]] = {}
        for name in names:
            new: Bracket = (low, known[0] if known else high)
            for index, revid in enumerate(known):
                if name not in self.present[revid]:
                    after = known[index + 1] if index + 1 < len(known) else high
                    new = (revid, after)
            narrowed.setdefault(new, set()).add(name)
        return narrowed


def _revisions(answer: dict[str, Any]) -> list[dict[str, Any]]:
    pages = answer.get("query", {}).get("pages", [])
    return [revision for page in pages for revision in page.get("revisions", [])]


def date_signups(
    connection: WikiConnection,
    title: str,
    pending: Iterable[str],
    names_in: Callable[[str], set[str]],
    *,
    latest_timestamp: str,
    latest_revid: int | None = None,
    latest_parentid: int | None = None,
    since_revid: int | None = None,
    max_content_requests: int = MAX_CONTENT_REQUESTS,
    probes_per_round: int = PROBES_PER_ROUND,
) -> SignupDating:
    """Date each pending name by the revision that added it, at a bounded cost.

    ``pending`` are names in the latest revision (``latest_revid``, or the one
    saved at ``latest_timestamp``) whose time the table does not hold yet;
    ``names_in`` extracts the signed-up names from one revision's text (the
    same parser the bot uses on the current text, so history and table agree).
    ``since_revid`` is the revision the bot last processed. The module's
    docstring gives the method, the bound (``max_content_requests``), what a
    name beyond it gets, and what ``probes_per_round`` trades.
    """
    dating = SignupDating()
    waiting = set(pending)
    if not waiting:
        return dating
    latest = parse_timestamp(latest_timestamp)
    if latest_parentid == 0 and latest is not None and latest_revid:
        dating.dates = dict.fromkeys(waiting, SignupDate(latest, latest_revid))
        return dating
    history = _History(connection, title, waiting, names_in, dating)
    start = (
        {"rvstartid": str(latest_revid)}
        if latest_revid
        else {"rvstart": latest_timestamp}
        if latest_timestamp
        else {}
    )
    history.list_newest(start, since_revid)
    if not history.revisions:  # no history to read: the latest time is all there is
        if latest is not None:
            dating.dates = dict.fromkeys(waiting, SignupDate(latest, latest_revid or 0, False))
        return dating
    newest = history.revisions[-1].revid
    history.present[newest] = frozenset(waiting)  # the pending names come from this text
    open_brackets: dict[Bracket, set[str]] = {(BEFORE_FIRST, newest): waiting}
    while True:
        for bracket in [b for b in open_brackets if history.solved(b)]:
            when = history.revisions[history.position[bracket[1]]].timestamp
            for name in open_brackets.pop(bracket):
                dating.dates[name] = SignupDate(when, bracket[1])
        if not open_brackets or dating.content_requests >= max_content_requests:
            break
        per_bracket = max(1, probes_per_round // len(open_brackets))
        wanted = list(
            dict.fromkeys(p for b in open_brackets for p in history.probes(b, per_bracket))
        )
        if not wanted and not any(history.solved(b) for b in open_brackets):
            break  # nothing left to read (every text inside is hidden): date what is open
        for offset in range(0, len(wanted), CONTENT_PER_REQUEST):
            if dating.content_requests >= max_content_requests:
                break
            history.read(wanted[offset : offset + CONTENT_PER_REQUEST])
        narrowed: dict[Bracket, set[str]] = {}
        for bracket, names in open_brackets.items():
            for new, group in history.narrow(bracket, names).items():
                narrowed.setdefault(new, set()).update(group)
        open_brackets = narrowed
    for (_low, high), names in open_brackets.items():
        when = history.revisions[history.position[high]].timestamp
        for name in names:
            dating.dates[name] = SignupDate(when, high, exact=False)
    if dating.estimated:
        log.warning(
            "%s: %d sign-ups dated no later than the first revision seen with them "
            "(the search stopped after %d text requests): %s",
            title,
            len(dating.estimated),
            dating.content_requests,
            ", ".join(dating.estimated[:10]) + (" …" if len(dating.estimated) > 10 else ""),
        )
    return dating


def find_signup_times(
    connection: WikiConnection,
    title: str,
    pending: Iterable[str],
    names_in: Callable[[str], set[str]],
    *,
    latest_timestamp: str,
    latest_parentid: int | None = None,
    latest_revid: int | None = None,
    since_revid: int | None = None,
    max_content_requests: int = MAX_CONTENT_REQUESTS,
) -> dict[str, datetime]:
    """Sign-up time of each pending name, from the page history (see :func:`date_signups`).

    When the page has a single revision (``latest_parentid == 0``) no history is
    read at all: every name was added by that revision.
    """
    latest = parse_timestamp(latest_timestamp)
    if latest_parentid == 0 and latest is not None:
        return dict.fromkeys(set(pending), latest)
    dating = date_signups(
        connection,
        title,
        pending,
        names_in,
        latest_timestamp=latest_timestamp,
        latest_revid=latest_revid,
        latest_parentid=latest_parentid,
        since_revid=since_revid,
        max_content_requests=max_content_requests,
    )
    return {name: date.timestamp for name, date in dating.dates.items()}
