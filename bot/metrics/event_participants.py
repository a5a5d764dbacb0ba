"""Who counts as a participant of each event, the same way the participants table says.

Sign-ups are read from the event pages' human text (``campaignkit.codecs.signups``), every name
of a wiki's events is checked in batched ``list=users`` requests
(``campaignkit.wiki.users``) and each sign-up gets the status the participants table
gives it (``campaignkit.codecs.participants_table``): only valid ones (an existing account, not
blocked, not a bot account, not waitlisted beyond the event's capacity) are
participants, their registration date says whether they are new editors, and
``attended=yes`` on their sign-up that they were checked in. Metrics and the
table therefore never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.metrics.definitions import Participant
from campaignkit.codecs.participants_table import build_rows
from campaignkit.codecs.signups import read_signups
from campaignkit.codecs.usernames import UserNamespaces
from campaignkit.codecs.waitlist import seat_event
from campaignkit.manifest import Manifest
from campaignkit.model import CampaignEvent
from campaignkit.wiki.batch import PageText
from campaignkit.wiki.connection import WikiConnection
from campaignkit.wiki.users import UserInfo, check_users
from campaignkit.wikitext.regions import RegionError


def signed_up(page: PageText, manifest: Manifest, namespaces: UserNamespaces) -> list[str]:
    """The names signed up on an event page (a RegionError names a broken region)."""
    return read_signups(page.text, manifest, namespaces, page.title).names


def participants_of_events(
    connection: WikiConnection,
    events: Iterable[tuple[PageText, CampaignEvent]],
    manifest: Manifest,
    namespaces: UserNamespaces,
) -> dict[str, list[Participant] | RegionError]:
    """Each event page's counted participants, with one batched user check for all."""
    names: dict[str, list[str] | RegionError] = {}
    for page, _event in events:
        try:
            names[page.title] = signed_up(page, manifest, namespaces)
        except RegionError as error:
            names[page.title] = error
    everyone = [n for found in names.values() if isinstance(found, list) for n in found]
    users: dict[str, UserInfo] = check_users(connection, everyone)
    result: dict[str, list[Participant] | RegionError] = {}
    for page, event in events:
        found = names[page.title]
        if isinstance(found, RegionError):
            result[page.title] = found
            continue
        rows = build_rows(found, users, {}, event.start_utc, event.end_utc)
        # Seated as the participants table seats them: a waitlisted sign-up is not
        # (yet) a participant, and who was checked in is counted as attended.
        rows = seat_event(rows, event, page.text, manifest, namespaces, page.title)
        result[page.title] = [
            Participant(r.user, r.new_editor, attended=r.attended) for r in rows if r.valid
        ]
    return result
