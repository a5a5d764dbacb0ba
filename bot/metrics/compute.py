"""Figures from edits: per event, per participant, and campaign totals.

Pure functions over what a source returned, so that the API and the replicas
give the same figures by construction once they return the same revisions, and
so that the definitions (:mod:`bot.metrics.definitions`) are tested without a wiki.

Campaign totals count each person, revision and article once even when events
overlap (two events on one wiki in the same week): people by name, revisions
and articles by wiki and id. An event whose figures were kept from an earlier
run (its source failed) adds its figures as they were.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime

from bot.metrics.definitions import (
    Contribution,
    CreatedArticle,
    EventWindow,
    Participant,
    words_from_bytes,
)

FIGURES = (
    "participants",
    "new_editors",
    "edits",
    "articles_created",
    "articles_deleted",
    "articles_improved",
    "bytes_added",
    "words_added",
    "worklist_done",
    "retention",
)


@dataclass(frozen=True)
class Figures:
    """The metrics of an event or a campaign. ``None`` means not known (yet)."""

    participants: int = 0
    new_editors: int = 0
    edits: int = 0
    articles_created: int = 0
    articles_deleted: int = 0
    articles_improved: int = 0
    bytes_added: int = 0
    words_added: int = 0
    worklist_done: int | None = None
    retention: int | None = None

    def as_dict(self) -> dict[str, int | None]:
        """Figures by name, in report order."""
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, object]) -> Figures:
        """Read figures back (a snapshot, a JSON report); unknown keys are ignored."""
        known: dict[str, int | None] = {}
        for name in FIGURES:
            value = values.get(name)
            known[name] = None if value is None or value == "" else int(value)  # type: ignore[arg-type]
        for name in FIGURES[:8]:
            known[name] = known[name] or 0
        return cls(**known)  # type: ignore[arg-type]


@dataclass(frozen=True)
class ParticipantFigures:
    """One participant's share, for the organizers' CSV (public data only)."""

    user: str
    new_editor: bool
    edits: int = 0
    articles_created: int = 0
    articles_improved: int = 0
    bytes_added: int = 0
    retained: bool | None = None


@dataclass(frozen=True)
class EventDetails:
    """What the totals of a campaign need to count people and edits once."""

    participants: frozenset[str] = frozenset()
    new_editors: frozenset[str] = frozenset()
    retained: frozenset[str] | None = None
    revisions: dict[tuple[str, int], int] = field(default_factory=dict)  # -> bytes added
    all_revisions: frozenset[tuple[str, int]] = frozenset()
    created: frozenset[tuple[str, int]] = frozenset()
    deleted: frozenset[tuple[str, int]] = frozenset()
    edited_articles: frozenset[tuple[str, int]] = frozenset()


@dataclass(frozen=True)
class EventResult:
    """An event's figures with what made them."""

    figures: Figures
    per_participant: list[ParticipantFigures]
    created: list[CreatedArticle]
    deleted: list[CreatedArticle]
    details: EventDetails


def event_figures(
    participants: Iterable[Participant],
    window: EventWindow,
    contributions: Iterable[Contribution],
    deleted: Iterable[CreatedArticle] = (),
    edited_after: set[str] | None = None,
    worklist_done: int | None = None,
) -> EventResult:
    """An event's metrics from its participants' edits (other users' edits are ignored).

    ``edited_after`` is the set of new editors with an edit after the retention
    delay, or ``None`` while that delay has not passed (retention unknown).
    """
    people = {p.name: p for p in participants}
    new_editors = {name for name, p in people.items() if p.new_editor}
    counted = [c for c in contributions if c.user in people and window.contains(c.timestamp)]
    created: dict[int, CreatedArticle] = {}
    for c in counted:
        if c.in_main_namespace and c.new_page:
            article = CreatedArticle(window.wiki, c.page_id, c.title, c.user, c.timestamp)
            created[c.page_id] = article
    edited_articles = {c.page_id for c in counted if c.in_main_namespace}
    improved = edited_articles - set(created)
    positive = {c.revid: max(c.size_diff, 0) for c in counted if c.in_main_namespace}
    gone = {
        d.page_id: d
        for d in deleted
        if d.user in people and window.contains(d.timestamp) and d.page_id not in created
    }
    retained = None if edited_after is None else new_editors & edited_after
    bytes_added = sum(positive.values())
    figures = Figures(
        participants=len(people),
        new_editors=len(new_editors),
        edits=len(counted),
        articles_created=len(created),
        articles_deleted=len(gone),
        articles_improved=len(improved),
        bytes_added=bytes_added,
        words_added=words_from_bytes(bytes_added),
        worklist_done=worklist_done,
        retention=None if retained is None else len(retained),
    )
    rows = []
    for name, person in people.items():
        mine = [c for c in counted if c.user == name]
        mine_created = {a.page_id for a in created.values() if a.user == name}
        mine_main = {c.page_id for c in mine if c.in_main_namespace}
        rows.append(
            ParticipantFigures(
                user=name,
                new_editor=person.new_editor,
                edits=len(mine),
                articles_created=len(mine_created),
                articles_improved=len(mine_main - set(created)),
                bytes_added=sum(positive.get(c.revid, 0) for c in mine),
                retained=(None if retained is None or not person.new_editor else name in retained),
            )
        )
    wiki = window.wiki
    details = EventDetails(
        participants=frozenset(people),
        new_editors=frozenset(new_editors),
        retained=None if retained is None else frozenset(retained),
        revisions={(wiki, revid): value for revid, value in positive.items()},
        all_revisions=frozenset((wiki, c.revid) for c in counted),
        created=frozenset((wiki, page_id) for page_id in created),
        deleted=frozenset((wiki, page_id) for page_id in gone),
        edited_articles=frozenset((wiki, page_id) for page_id in edited_articles),
    )
    return EventResult(
        figures=figures,
        per_participant=rows,
        created=sorted(created.values(), key=lambda a: (a.timestamp, a.page_id)),
        deleted=sorted(gone.values(), key=lambda a: (a.timestamp, a.page_id)),
        details=details,
    )


def campaign_totals(results: Iterable[EventResult], kept: Iterable[Figures] = ()) -> Figures:
    """Totals over a campaign's events, each person, edit and article counted once."""
    people: set[str] = set()
    new_editors: set[str] = set()
    retained: set[str] = set()
    retention_known = False
    revisions: dict[tuple[str, int], int] = {}
    all_revisions: set[tuple[str, int]] = set()
    created: set[tuple[str, int]] = set()
    deleted: set[tuple[str, int]] = set()
    edited: set[tuple[str, int]] = set()
    worklist: int | None = None
    for result in results:
        d = result.details
        people |= d.participants
        new_editors |= d.new_editors
        if d.retained is not None:
            retention_known = True
            retained |= d.retained
        revisions.update(d.revisions)
        all_revisions |= d.all_revisions
        created |= d.created
        deleted |= d.deleted
        edited |= d.edited_articles
        if result.figures.worklist_done is not None:
            worklist = (worklist or 0) + result.figures.worklist_done
    bytes_added = sum(revisions.values())
    totals = Figures(
        participants=len(people),
        new_editors=len(new_editors),
        edits=len(all_revisions),
        articles_created=len(created),
        articles_deleted=len(deleted - created),
        articles_improved=len(edited - created),
        bytes_added=bytes_added,
        words_added=words_from_bytes(bytes_added),
        worklist_done=worklist,
        retention=len(retained) if retention_known else None,
    )
    for figures in kept:
        totals = add_figures(totals, figures)
    return totals


def add_figures(a: Figures, b: Figures) -> Figures:
    """Two sets of figures added (for events known only by their figures)."""
    values: dict[str, int | None] = {}
    for name in FIGURES:
        x, y = getattr(a, name), getattr(b, name)
        values[name] = None if x is None and y is None else (x or 0) + (y or 0)
    bytes_added = values["bytes_added"] or 0
    values["words_added"] = words_from_bytes(bytes_added)
    return Figures(**values)  # type: ignore[arg-type]


def retention_due(window: EventWindow, now: datetime) -> bool:
    """Whether the 7 days after the end have passed, so retention can be measured."""
    return now > window.retention_after
