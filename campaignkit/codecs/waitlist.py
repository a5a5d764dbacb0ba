"""Capacity and waitlist: who of an event's valid sign-ups has a place, in sign-up order.

An event with ``capacity=N`` gives its places to the first N valid sign-ups,
in the order they signed up (the time of the revision that added each name;
page order when two are equal or a time is unknown). The others are
``waitlisted``, numbered 1, 2, … in the same order. Nothing is stored about
the waitlist: it is recomputed from the page at every sync, so when someone
withdraws (their line is gone), the first waitlisted person simply comes out
with a place at the next sync, and a hand-edited page never disagrees with it.

Someone checked in at the event (``attended=yes``) always has a place: they
came. They still take a place in sign-up order, so a walk-in checked in at
the door never pushes out a person who signed up before them.

The sync (the participants table and the campaign's counts), the metrics and
the webservice all seat sign-ups through :func:`seat`, so they agree.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable
from datetime import datetime

from campaignkit.codecs.participants_table import WAITLISTED, ParticipantRow, read_table
from campaignkit.codecs.signups import attended_names
from campaignkit.codecs.usernames import UserNamespaces
from campaignkit.contract import PARTICIPANTS_REGION
from campaignkit.manifest import Manifest
from campaignkit.model import CampaignEvent
from campaignkit.wikitext.regions import RegionError, find_region


def signup_order(rows: list[ParticipantRow]) -> list[int]:
    """Indices of ``rows`` (in page order) sorted by sign-up time; unknown times last."""
    return sorted(
        range(len(rows)),
        key=lambda i: (
            rows[i].signed_up is None,
            rows[i].signed_up or datetime.min,
            i,
        ),
    )


def seat(
    rows: list[ParticipantRow], seats: int | None, attended: Collection[str] = ()
) -> list[ParticipantRow]:
    """The rows (same order) with attendance marked and the sign-ups beyond ``seats`` waitlisted.

    ``seats`` None means no limit. Rows that are not valid (no such user,
    blocked, bot) keep their status and take no place.
    """
    came = set(attended)
    marked = [dataclasses.replace(r, attended=r.user in came, waitlist=None) for r in rows]
    if seats is None:
        return marked
    taken = 0
    place = 0
    for index in signup_order(marked):
        row = marked[index]
        if row.status == WAITLISTED:  # a row read back from an older table
            row = marked[index] = dataclasses.replace(row, status="ok")
        if not row.valid:
            continue
        if row.attended or taken < seats:
            taken += 1
            continue
        place += 1
        marked[index] = dataclasses.replace(row, status=WAITLISTED, waitlist=place)
    return marked


def previous_times(text: str, manifest: Manifest, title: str) -> dict[str, datetime]:
    """Sign-up times the bot's table on the page already knows (empty if it has none)."""
    try:
        region = find_region(text, PARTICIPANTS_REGION, title)
    except RegionError:
        return {}
    if region is None:
        return {}
    return {r.user: r.signed_up for r in read_table(region.content(text), manifest) if r.signed_up}


def seat_event(
    rows: list[ParticipantRow],
    event: CampaignEvent,
    text: str,
    manifest: Manifest,
    namespaces: UserNamespaces,
    title: str = "",
) -> list[ParticipantRow]:
    """Seat an event page's rows: attendance from its text, times it lacks from its old table.

    Rows built before the page history was read (the sync's early counts, the
    metrics) have no times; the bot's last table has them for everyone but
    the newest sign-ups, who rightly come last. A broken region means no
    attendance and no times here; the page's writer reports the region.
    """
    try:
        came = attended_names(text, manifest, namespaces, title)
    except RegionError:
        came = set()
    if any(r.signed_up is None for r in rows):
        known = previous_times(text, manifest, title)
        rows = [
            r if r.signed_up is not None else dataclasses.replace(r, signed_up=known.get(r.user))
            for r in rows
        ]
    return seat(rows, event.seats, came)


def counts(rows: Iterable[ParticipantRow]) -> tuple[int, int]:
    """(waitlisted, attended) of seated rows: the campaign table's extra counts."""
    waitlisted = attended = 0
    for row in rows:
        waitlisted += row.waitlisted
        attended += row.valid and row.attended
    return waitlisted, attended


def place_of(rows: Iterable[ParticipantRow], user: str) -> int | None:
    """A person's place on the waitlist, or None when they have a place (or no row)."""
    for row in rows:
        if row.user == user:
            return row.waitlist if row.waitlisted else None
    return None
