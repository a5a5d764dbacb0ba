"""What a metric counts, in one place, so that both sources and every report agree.

The definitions follow the Programs & Events Dashboard, so that an organizer's
figures compare with the Dashboard's (see docs in the README section):

- **participants**: valid sign-ups on the event page (existing, not blocked, not a bot
  account), as in the participants table;
- **new editors**: participants whose account was registered within 14 days before the
  start, up to the end;
- **edits**: revisions by participants on the event's wiki whose time lies in the event
  window (start and end included, converted from the event's time zone to UTC), in every
  namespace, on pages that still exist;
- **article work** (:func:`is_article_work`): an edit of a main-namespace page that is
  an article: not a page of a campaign (campaign, event and sign-up, worklist, data
  pages: the bookkeeping, wherever it is), not a page that is a redirect when
  measured, and not the edit that made a page a redirect (MediaWiki tags it
  ``mw-new-redirect``; a page move's leftover redirect too). The Dashboard counts
  redirects as created articles (WikiEduDashboard#1135); we do not;
- **articles created**: pages whose first revision is a participant's article work in
  the window and that still exist; **articles deleted** counts those deleted since, apart;
- **articles improved**: other pages on which participants did article work in the window;
- **bytes added**: the sum of the non-negative size changes of that article work (a
  removal counts 0, not minus); **words added**: bytes added / 5.175, rounded down;
- **worklist items done**: rows of the event's worklist marked done;
- **retention**: new editors with an edit (any namespace) more than 7 days after the end;
  unknown until those 7 days have passed;
- **references added**: for each edit of article work, the references in the
  revision minus those in its parent, never below 0 (a new article counts all its
  references); what a reference is comes from the wiki's manifest
  (:mod:`bot.metrics.references`);
- **uploads**: files on the file wiki (Commons) whose first version a participant
  uploaded in the window and that still exist, only those in the event's
  ``upload_category`` when it names one; **files in use**: how many of them some page
  of a configured wiki shows, and **pages using them**: how many such pages
  (every namespace);
- **Wikidata edits**: participants' revisions on the Wikidata wiki in the window;
  **items created** / **items edited**: items whose first revision is theirs / other
  items they edited (:mod:`bot.metrics.wikidata`).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

BYTES_PER_WORD = 5.175
RETENTION_DELAY = timedelta(days=7)
MAIN_NAMESPACE = 0
API_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
SQL_TIME_FORMAT = "%Y%m%d%H%M%S"
NEW_REDIRECT_TAG = "mw-new-redirect"  # MediaWiki's tag on an edit that makes a redirect


class SourceError(Exception):
    """A source could not answer (wiki or database unreachable); the message names the wiki."""


_CATEGORY_PREFIX = re.compile(r"\A\s*category\s*:\s*", re.IGNORECASE)


def category_name(value: str) -> str:
    """A category's name without the ``Category:`` prefix, spaces for underscores."""
    return " ".join(_CATEGORY_PREFIX.sub("", value).replace("_", " ").split())


def file_name(title: str) -> str:
    """A file page's title without its namespace (``File:A b.png`` -> ``A b.png``)."""
    return title.split(":", 1)[1].strip() if ":" in title else title


def words_from_bytes(bytes_added: int) -> int:
    """The Dashboard's estimate of words from bytes added."""
    return int(bytes_added / BYTES_PER_WORD)


def utc(value: datetime) -> datetime:
    """An aware UTC datetime, whole seconds (MediaWiki's precision)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(microsecond=0)


@dataclass(frozen=True)
class EventWindow:
    """Where and when an event's edits count: a wiki and an inclusive UTC interval."""

    wiki: str
    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", utc(self.start))
        object.__setattr__(self, "end", utc(self.end))

    @property
    def retention_after(self) -> datetime:
        """Edits after this time make a new editor retained."""
        return self.end + RETENTION_DELAY

    def contains(self, moment: datetime) -> bool:
        """Whether an edit at this time counts for the event."""
        return self.start <= moment <= self.end


@dataclass(frozen=True)
class Participant:
    """A counted participant: a valid sign-up, and whether they are a new editor."""

    name: str
    new_editor: bool = False
    attended: bool = False  # checked in at the event


@dataclass(frozen=True)
class Contribution:
    """One live revision by a participant, as both sources report it."""

    user: str
    revid: int
    page_id: int
    namespace: int
    title: str
    timestamp: datetime
    size_diff: int  # size minus the parent revision's size; a first revision's whole size
    new_page: bool  # the first revision of its page
    parent_id: int = 0  # the revision before it on its page (0 for a first revision)
    redirect: bool = False  # the page is a redirect now (when measured)
    made_redirect: bool = False  # this edit made the page a redirect (tag mw-new-redirect)

    @property
    def in_main_namespace(self) -> bool:
        """Articles are pages of the main namespace."""
        return self.namespace == MAIN_NAMESPACE


def is_article_work(contribution: Contribution, bookkeeping: Collection[str] = ()) -> bool:
    """Whether an edit counts toward articles created or improved, bytes and references.

    ``bookkeeping`` holds the titles of the campaigns' own pages on the edit's
    wiki: signing up on an event page or claiming on a worklist page in the
    main namespace is taking part, not writing an article. Redirects are not
    articles either, whether the page is one now or this edit made it one.
    """
    return (
        contribution.in_main_namespace
        and not contribution.redirect
        and not contribution.made_redirect
        and contribution.title not in bookkeeping
    )


@dataclass(frozen=True)
class CreatedArticle:
    """A main-namespace page a participant created during an event."""

    wiki: str
    page_id: int
    title: str
    user: str
    timestamp: datetime


@dataclass(frozen=True)
class Upload:
    """A file a participant uploaded: the first version of a page in the File namespace."""

    wiki: str  # the file wiki
    page_id: int
    name: str  # the file's name without the namespace prefix ("Lagos market.png")
    user: str
    timestamp: datetime
    in_category: bool = False  # in the category asked for (False when none was asked)


FileUsage = dict[str, frozenset[tuple[str, int]]]
"""File title (without namespace) -> the (wiki, page id) pairs of the pages that show it."""


class ContributionSource(Protocol):
    """How metrics read participants' edits: the Action API or the Wiki Replicas."""

    name: str

    def contributions(
        self, wiki: str, users: Iterable[str], start: datetime, end: datetime
    ) -> list[Contribution]:
        """Every live revision by these users on the wiki between start and end (inclusive)."""
        ...

    def deleted_creations(
        self,
        wiki: str,
        users: Iterable[str],
        start: datetime,
        end: datetime,
        known: Iterable[CreatedArticle] = (),
    ) -> list[CreatedArticle]:
        """Main-namespace pages these users created in the interval that are deleted now."""
        ...

    def edited_after(self, wiki: str, users: Iterable[str], after: datetime) -> set[str]:
        """Which of these users made an edit later than ``after``."""
        ...

    def uploads(
        self,
        wiki: str,
        users: Iterable[str],
        start: datetime,
        end: datetime,
        category: str = "",
    ) -> list[Upload]:
        """Files these users first uploaded to the file wiki in the interval, still there."""
        ...

    def file_usage(self, wikis: Iterable[str], files: Iterable[str]) -> FileUsage:
        """Which pages of these wikis show these files (titles without namespace)."""
        ...
