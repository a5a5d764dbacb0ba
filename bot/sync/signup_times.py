"""When did each participant sign up? The revision that added their line says.

The run time would be wrong (a run may come days later), so the sign-up time is
the timestamp of the revision that added the sign-up. Times found once are
kept in the bot's own participants table, so only new names need the history,
and the walk goes from the newest revision backwards, stopping as soon as every
new name is accounted for: a new sign-up is usually a recent edit.

A name that was removed and added again counts from its latest addition.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from campaignkit.wiki.connection import WikiConnection
from campaignkit.wiki.users import parse_timestamp

HISTORY_PAGE = 50  # revisions with content per request (the API's limit for one page)


def find_signup_times(
    connection: WikiConnection,
    title: str,
    pending: Iterable[str],
    names_in: Callable[[str], set[str]],
    *,
    latest_timestamp: str,
    latest_parentid: int | None = None,
) -> dict[str, datetime]:
    """Sign-up time of each pending name, from the page history.

    ``names_in`` extracts the signed-up names from one revision's text (the same
    parser the bot uses on the current text, so history and table agree).
    When the page has a single revision (``latest_parentid == 0``) no history is
    read at all: every name was added by that revision.
    """
    waiting = set(pending)
    if not waiting:
        return {}
    latest = parse_timestamp(latest_timestamp)
    if latest_parentid == 0 and latest is not None:
        return dict.fromkeys(waiting, latest)
    candidate: dict[str, datetime] = {}
    found: dict[str, datetime] = {}
    continuation: dict[str, str] = {"continue": ""}
    while waiting:
        answer = connection.api(
            action="query",
            prop="revisions",
            titles=title,
            rvprop="ids|timestamp|content",
            rvslots="main",
            rvlimit=str(HISTORY_PAGE),
            rvdir="older",
            formatversion="2",
            **continuation,
        )
        pages = answer.get("query", {}).get("pages", [])
        revisions = pages[0].get("revisions", []) if pages else []
        for revision in revisions:
            when = parse_timestamp(revision["timestamp"])
            if when is None:
                continue
            text = revision.get("slots", {}).get("main", {}).get("content", "")
            present = names_in(text)
            for name in list(waiting):
                if name in present:
                    candidate[name] = when
                elif name in candidate:
                    found[name] = candidate.pop(name)
                    waiting.discard(name)
            if not waiting:
                break
        if "continue" not in answer:
            break
        continuation = answer["continue"]
    for name in waiting:
        when = candidate.get(name) or latest
        if when is not None:
            found[name] = when
    return found
