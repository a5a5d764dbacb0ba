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
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from bot.metrics.definitions import (
    API_TIME_FORMAT,
    MAIN_NAMESPACE,
    NEW_REDIRECT_TAG,
    Contribution,
    CreatedArticle,
    FileUsage,
    SourceError,
    Upload,
    category_name,
    file_name,
    utc,
)
from campaignkit.wiki.batch import batch_size, chunks, query_all
from campaignkit.wiki.connection import WikiConnection, WikiFarm
from campaignkit.wiki.errors import WikiError
from campaignkit.wiki.users import parse_timestamp

CONTRIBUTION_PROPS = "ids|title|timestamp|size|sizediff|flags|tags"
FILE_NAMESPACE = 6


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
        parent_id=int(entry.get("parentid") or 0),
        made_redirect=NEW_REDIRECT_TAG in entry.get("tags", ()),
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
        redirects = self._redirects(
            connection, {c.page_id for c in found.values() if c.in_main_namespace}
        )
        return sorted(
            (replace(c, redirect=c.page_id in redirects) for c in found.values()),
            key=lambda c: (c.timestamp, c.revid),
        )

    def _redirects(self, connection: WikiConnection, page_ids: set[int]) -> set[int]:
        """Which of these pages are redirects now (``prop=info``, 50/500 ids per request).

        ``usercontribs`` does not say; a page move's leftover redirect and an
        article turned into a redirect must not count as articles.
        """
        found: set[int] = set()
        for group in chunks([str(i) for i in sorted(page_ids)], batch_size(connection)):
            for answer in self._query(connection, pageids="|".join(group), prop="info"):
                for page in answer.get("query", {}).get("pages", []):
                    if page.get("redirect"):
                        found.add(int(page["pageid"]))
        return found

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

    def uploads(
        self,
        wiki: str,
        users: Iterable[str],
        start: datetime,
        end: datetime,
        category: str = "",
    ) -> list[Upload]:
        """Files these users first uploaded in the interval, still on the file wiki.

        The File pages they created (``usercontribs``, ``ucshow=new``, 50/500
        users per request), then one ``prop=imageinfo|categories`` request per
        50/500 of those pages: a page without a file is not an upload, and
        ``clcategories`` tells which are in the category.
        """
        connection = self._connection(wiki)
        created: dict[int, Contribution] = {}
        for group in chunks(sorted(set(users)), self._users_per_request(connection)):
            for answer in self._query(
                connection,
                list="usercontribs",
                ucuser="|".join(group),
                ucstart=api_time(start),
                ucend=api_time(end),
                ucdir="newer",
                uclimit="max",
                ucnamespace=str(FILE_NAMESPACE),
                ucshow="new",
                ucprop=CONTRIBUTION_PROPS,
            ):
                for entry in answer.get("query", {}).get("usercontribs", []):
                    contribution = _contribution(entry)
                    created[contribution.page_id] = contribution
        if not created:
            return []
        wanted_category = category_name(category)
        has_file: set[int] = set()
        in_category: set[int] = set()
        extra = {"prop": "imageinfo", "iiprop": "timestamp"}
        if wanted_category:
            extra = {
                "prop": "imageinfo|categories",
                "iiprop": "timestamp",
                "clcategories": f"Category:{wanted_category}",
                "cllimit": "max",
            }
        for group in chunks([str(i) for i in sorted(created)], batch_size(connection)):
            for answer in self._query(connection, pageids="|".join(group), **extra):
                for page in answer.get("query", {}).get("pages", []):
                    page_id = int(page.get("pageid", 0))
                    if page.get("imageinfo"):
                        has_file.add(page_id)
                    if page.get("categories"):
                        in_category.add(page_id)
        return sorted(
            (
                Upload(
                    wiki,
                    c.page_id,
                    file_name(c.title),
                    c.user,
                    c.timestamp,
                    c.page_id in in_category,
                )
                for c in created.values()
                if c.page_id in has_file
            ),
            key=lambda u: (u.timestamp, u.page_id),
        )

    def file_usage(self, wikis: Iterable[str], files: Iterable[str]) -> FileUsage:
        """Pages of each wiki that show these files: ``prop=fileusage``, 50/500 files a request.

        MediaWiki records a page's use of a file in that page's wiki (the
        ``imagelinks`` table) whether the file lives there or on Commons, so each
        wiki answers for its own pages.
        """
        names = sorted(set(files))
        found: dict[str, set[tuple[str, int]]] = {name: set() for name in names}
        for wiki in wikis:
            connection = self._connection(wiki)
            for group in chunks(names, batch_size(connection)):
                titles = "|".join(f"File:{name}" for name in group)
                for answer in self._query(
                    connection, titles=titles, prop="fileusage", fuprop="pageid", fulimit="max"
                ):
                    for page in answer.get("query", {}).get("pages", []):
                        name = file_name(page.get("title", ""))
                        for use in page.get("fileusage", []):
                            found.setdefault(name, set()).add((wiki, int(use["pageid"])))
        return {name: frozenset(pages) for name, pages in found.items()}
