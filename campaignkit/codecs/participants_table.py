"""The participants table on an event page: rows, counts and what the bot remembers.

Each sign-up becomes a row with the name, the sign-up time (from the page
history), the new-editor flag, whether the person was checked in at the event
(``attended``) and a status (``ok``, ``waitlisted`` with the place on the
waitlist when the event is full — :mod:`campaignkit.codecs.waitlist` — or why
the sign-up is not valid: an invalid name is listed with its reason, never
dropped). The table
lives in the bot's ``participants`` region; sign-up times already found are
read back from it, so the history is walked only for new names.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from campaignkit.manifest import Manifest
from campaignkit.wiki.users import UserInfo
from campaignkit.wikitext.templates import find_calls, render_call

NEW_EDITOR_WINDOW = timedelta(days=14)
TIME_FORMAT = "%Y-%m-%d %H:%M"
WAITLISTED = "waitlisted"  # the status of a valid sign-up beyond the event's capacity


@dataclass(frozen=True)
class ParticipantRow:
    """One line of the participants table."""

    user: str
    signed_up: datetime | None
    new_editor: bool
    status: str
    attended: bool = False  # checked in at the event ({{Participant|Name|attended=yes}})
    waitlist: int | None = None  # place on the waitlist, 1 = the next to move up

    @property
    def valid(self) -> bool:
        """Counted as a participant (a waitlisted sign-up is not, until it moves up)."""
        return self.status == "ok"

    @property
    def waitlisted(self) -> bool:
        """A valid sign-up that waits for a place."""
        return self.status == WAITLISTED


def is_new_editor(registration: datetime | None, start: datetime, end: datetime) -> bool:
    """Registered within 14 days before the start, up to the end (Dashboard definition)."""
    if registration is None:
        return False
    return start - NEW_EDITOR_WINDOW <= registration <= end


def format_time(value: datetime | None) -> str:
    """Times in tables are UTC, minute precision."""
    return value.astimezone(UTC).strftime(TIME_FORMAT) if value else ""


def parse_time(value: str) -> datetime | None:
    """Read back a time the bot wrote."""
    try:
        return datetime.strptime(value.strip(), TIME_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


def build_rows(
    names: list[str],
    users: dict[str, UserInfo],
    times: dict[str, datetime],
    start: datetime,
    end: datetime,
) -> list[ParticipantRow]:
    """Rows in sign-up order, with the status each name earned."""
    rows = []
    for name in names:
        info = users.get(name) or UserInfo(name, exists=False, valid=False)
        status = info.problem or ("bot account" if info.is_bot else "ok")
        rows.append(
            ParticipantRow(
                user=info.name or name,
                signed_up=times.get(name),
                new_editor=info.exists and is_new_editor(info.registration, start, end),
                status=status,
            )
        )
    return rows


def render_table(rows: list[ParticipantRow], manifest: Manifest) -> str:
    """The region's content: header, one row template per participant, end."""
    row_template = manifest.template("campaign_participants_row")
    valid = [r for r in rows if r.valid]
    new = sum(1 for r in valid if r.new_editor)
    # Counts that are 0 are left out, so a table without capacity or check-in
    # reads as it always did (and is not rewritten for nothing).
    extra = {
        "waitlisted": sum(1 for r in rows if r.waitlisted),
        "attended": sum(1 for r in valid if r.attended),
        "new_editors_attended": sum(1 for r in valid if r.attended and r.new_editor),
    }
    lines = [
        f"{{{{{manifest.frame_name('campaign_participants_header')}|count={len(valid)}"
        f"|new_editors={new}"
        + "".join(f"|{name}={count}" for name, count in extra.items() if count)
        + "}}"
    ]
    for row in rows:
        values = {
            "user": row.user,
            "signed_up": format_time(row.signed_up),
            "new_editor": "yes" if row.new_editor else "",
            "status": row.status,
            "waitlist": str(row.waitlist) if row.waitlist else "",
            "attended": "yes" if row.attended else "",
        }
        lines.append(render_call(row_template, {k: v for k, v in values.items() if v}, inline=True))
    lines.append(f"{{{{{manifest.frame_name('campaign_participants_end')}}}}}")
    return "\n".join(lines)


def read_table(region_text: str, manifest: Manifest) -> list[ParticipantRow]:
    """The rows the bot wrote last time (to keep sign-up times and previous rows)."""
    rows = []
    for call in find_calls(region_text, manifest.template("campaign_participants_row")):
        values = call.values
        place = values.get("waitlist", "").strip()
        rows.append(
            ParticipantRow(
                user=values.get("user", ""),
                signed_up=parse_time(values.get("signed_up", "")),
                new_editor=values.get("new_editor", "") == "yes",
                status=values.get("status", ""),
                attended=values.get("attended", "") == "yes",
                waitlist=int(place) if place.isdigit() else None,
            )
        )
    return rows
