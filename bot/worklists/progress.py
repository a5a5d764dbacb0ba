"""Bytes that participants added to a worklist's articles during their event.

The events that name a worklist (``worklist=`` in ``{{Campaign event}}``)
give the window (start to end, in UTC) and the people (the event's valid
participants). Their contributions come from ``list=usercontribs`` with up
to 500 usernames per request (50 without the bot's high limits), limited to
the window and to the main namespace, continuation followed: the cost grows
with participants and their edits, never with the number of articles.

Bytes added follow the metric definitions in PRODUCT.md: the sum of the
non-negative size changes. An edit counted for one event is not counted
again for another event with an overlapping window.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from campaignkit.wiki.batch import batch_size, chunks, query_all
from campaignkit.wiki.connection import WikiConnection

API_TIME = "%Y-%m-%dT%H:%M:%SZ"


@dataclass(frozen=True)
class EventWindow:
    """One event that names the worklist: when it runs and who takes part."""

    event: str
    start: datetime
    end: datetime
    participants: tuple[str, ...]


def _api_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(API_TIME)


def bytes_added(
    connection: WikiConnection,
    windows: Iterable[EventWindow],
    titles: Iterable[str] | None = None,
) -> dict[str, int]:
    """Bytes added per article by the events' participants (all articles, or those asked for).

    The default is every article they edited, because a claimed article that
    has left the worklist's sources still shows its progress.
    """
    wanted = None if titles is None else set(titles)
    totals: Counter[str] = Counter()
    counted: set[int] = set()
    for window in windows:
        if not window.participants or window.end <= window.start:
            continue
        for group in chunks(list(window.participants), batch_size(connection)):
            for answer in query_all(
                connection,
                list="usercontribs",
                ucuser="|".join(group),
                ucstart=_api_time(window.start),
                ucend=_api_time(window.end),
                ucdir="newer",
                ucnamespace="0",
                ucprop="ids|title|sizediff",
                uclimit="max",
            ):
                for contribution in answer.get("query", {}).get("usercontribs", []):
                    revid = contribution.get("revid", 0)
                    title = contribution.get("title", "")
                    if revid in counted or (wanted is not None and title not in wanted):
                        continue
                    counted.add(revid)
                    totals[title] += max(0, int(contribution.get("sizediff", 0) or 0))
    return dict(totals)
