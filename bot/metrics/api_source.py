"""Participants' edits through the Action API: ``list=usercontribs`` for many users at once.

``ucuser`` takes 50 names per request (500 with the bot's high limits), and one
answer holds up to 500 revisions (5,000 with high limits), so a window costs at
most ``ceil(users / 50)`` requests per wiki plus one per further page of
results — 20,000 participants cost 400 requests, not 20,000.

The API lists live revisions only. It cannot list deleted revisions without the
``deletedhistory`` right, which a campaign bot does not have on Wikimedia wikis,
so **deleted creations are found the way the Dashboard finds them**: the job
remembers every article it has seen created (snapshots), and an article whose
page id no longer exists is counted as deleted (a batched ``pageids`` query).
An article created and deleted between two runs is therefore not seen by this
source; the replicas source reads the ``archive`` table and sees it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from bot.metrics.definitions import (
    API_TIME_FORMAT,
    MAIN_NAMESPACE,
    Contribution,
    CreatedArticle,
    SourceError,
    utc,
)
from campaignkit.wiki.batch import batch_size, chunks, query_all
from campaignkit.wiki.connection import WikiConnection, WikiFarm
from campaignkit.wiki.errors import WikiError
from campaignkit.wiki.users import parse_timestamp

CONTRIBUTION_PROPS = "ids|title|timestamp|size|sizediff|flags"


def api_time(moment: datetime) -> str:
    """MediaWiki's ISO 8601 form."""
    return utc(moment).strftime(API_TIME_FORMAT)


def _contribution(entry: dict[str, Any]) -> Contribution:
    new_page = bool(entry.get("new"))
    size = int(entry.get("size", 0))
    # sizediff is missing when the parent revision's size is unknown (archived):
    # count it from zero, as the Dashboard's IFNULL(parent.rev_len, 0) does.
    size_diff = int(entry["sizediff"]) if "sizediff" in entry and not new_page else size
    return Contribution(
        user=entry["user"],
        revid=int(entry["revid"]),
        page_id=int(entry["pageid"]),
        namespace=int(entry["ns"]),
        title=entry["title"],
        timestamp=parse_timestamp(entry["timestamp"]),  # type: ignore[arg-type]
        size_diff=size_diff,
        new_page=new_page,
    )


class ApiSource:
    """Reads contributions with the bot's login on each configured wiki."""

    name = "api"

    def __init__(self, farm: WikiFarm) -> None:
        self.farm = farm

    def _connection(self, wiki: str) -> WikiConnection:
        return self.farm[wiki]

    def _users_per_request(self, connection: WikiConnection) -> int:
        return batch_size(connection)

    def _query(self, connection: WikiConnection, **params: Any) -> Any:
        try:
            yield from query_all(connection, **params)
        except WikiError as error:
            raise SourceError(f"{connection.id}: {error}") from error
        except Exception as error:  # pywikibot's APIError and network errors
            raise SourceError(f"{connection.id}: usercontribs failed: {error}") from error

    def contributions(
        self, wiki: str, users: Iterable[str], start: datetime, end: datetime
    ) -> list[Contribution]:
        """Every live revision by these users in the interval, ``ucuser`` batched."""
        connection = self._connection(wiki)
        names = sorted(set(users))
        found: dict[int, Contribution] = {}
        for group in chunks(names, self._users_per_request(connection)):
            for answer in self._query(
                connection,
                list="usercontribs",
                ucuser="|".join(group),
                ucstart=api_time(start),
                ucend=api_time(end),
                ucdir="newer",
                uclimit="max",
                ucprop=CONTRIBUTION_PROPS,
            ):
                for entry in answer.get("query", {}).get("usercontribs", []):
                    contribution = _contribution(entry)
                    found[contribution.revid] = contribution
        return sorted(found.values(), key=lambda c: (c.timestamp, c.revid))

    def deleted_creations(
        self,
        wiki: str,
        users: Iterable[str],
        start: datetime,
        end: datetime,
        known: Iterable[CreatedArticle] = (),
    ) -> list[CreatedArticle]:
        """Remembered creations whose page id is gone, checked 50/500 ids per request."""
        wanted = set(users)
        candidates = {
            k.page_id: k
            for k in known
            if k.wiki == wiki and k.user in wanted and utc(start) <= k.timestamp <= utc(end)
        }
        if not candidates:
            return []
        connection = self._connection(wiki)
        existing: set[int] = set()
        try:
            for group in chunks([str(i) for i in sorted(candidates)], batch_size(connection)):
                # A missing page id comes back without a title, so query_pages
                # (which keys pages by title) cannot be used here.
                for answer in query_all(connection, pageids="|".join(group), prop="info"):
                    for page in answer.get("query", {}).get("pages", []):
                        if not page.get("missing") and page.get("ns") == MAIN_NAMESPACE:
                            existing.add(int(page["pageid"]))
        except WikiError as error:
            raise SourceError(f"{connection.id}: {error}") from error
        except Exception as error:
            raise SourceError(f"{connection.id}: page check failed: {error}") from error
        return sorted(
            (k for page_id, k in candidates.items() if page_id not in existing),
            key=lambda k: (k.timestamp, k.page_id),
        )

    def edited_after(self, wiki: str, users: Iterable[str], after: datetime) -> set[str]:
        """Users with an edit later than ``after``.

        Each request asks for the users not seen yet and stops at the first page of
        results; a user whose edit appears is dropped from the next request, so the
        cost is at most one request per user and usually one per batch.
        """
        connection = self._connection(wiki)
        remaining = sorted(set(users))
        seen: set[str] = set()
        since = api_time(utc(after) + timedelta(seconds=1))
        while remaining:
            group = remaining[: self._users_per_request(connection)]
            answer = next(
                iter(
                    self._query(
                        connection,
                        list="usercontribs",
                        ucuser="|".join(group),
                        ucstart=since,
                        ucdir="newer",
                        uclimit="max",
                        ucprop="ids",
                    )
                )
            )
            found = {e["user"] for e in answer.get("query", {}).get("usercontribs", [])}
            seen |= found
            if "continue" in answer and found:
                # More results for this batch: ask again without the users already seen.
                remaining = [n for n in remaining if n not in found]
            else:
                remaining = remaining[len(group) :]
        return seen
