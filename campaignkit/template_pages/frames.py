"""Specs of the bot's table frames and the bot-region note.

:data:`campaignkit.contract.TABLE_FRAMES` names these templates but gives them
no fields (they take only a row count). Their TemplateData and documentation
need one, so the fields are declared here with the contract's own classes.
"""

from __future__ import annotations

from campaignkit.contract import TABLE_FRAMES, FieldSpec, Kind, TemplateSpec

_COUNT = FieldSpec(
    "count",
    Kind.INTEGER,
    "Rows",
    "How many rows the table has; shown above it.",
)

_NEW_EDITORS = FieldSpec(
    "new_editors",
    Kind.INTEGER,
    "New editors",
    "How many of them are new editors; shown above the table.",
)
_SEATING = (
    FieldSpec(
        "waitlisted",
        Kind.INTEGER,
        "Waitlisted",
        "Valid sign-ups beyond the event's capacity; shown above the table when there are any.",
    ),
    FieldSpec(
        "attended",
        Kind.INTEGER,
        "Attended",
        "Participants checked in at the event; shown above the table when there are any.",
    ),
    FieldSpec(
        "new_editors_attended",
        Kind.INTEGER,
        "New editors who attended",
        "How many of those checked in are new editors.",
    ),
)
_TOTALS = (
    FieldSpec("events", Kind.INTEGER, "Events", "Number of events; shown in a totals row."),
    FieldSpec("participants", Kind.INTEGER, "Participants", "Participants of all events together."),
    FieldSpec("new_editors", Kind.INTEGER, "New editors", "New editors of all events together."),
)
_WORKLIST_COUNTS = (
    FieldSpec(
        "total", Kind.INTEGER, "All articles", "Articles the sources gave, before the limit."
    ),
    FieldSpec("missing", Kind.INTEGER, "Missing", "Articles that do not exist yet."),
    FieldSpec("stubs", Kind.INTEGER, "Stubs", "Articles flagged as stubs."),
    FieldSpec("claimed", Kind.INTEGER, "Claimed", "Articles someone works on."),
    FieldSpec("done", Kind.INTEGER, "Done", "Articles marked done."),
)
# Besides the row count, what the bot passes to each frame (see bot/campaign_table.py,
# bot/participants.py and the worklist header's source).
_EXTRA_FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    "campaign_participants_header": (_NEW_EDITORS, *_SEATING),
    "campaign_events_end": _TOTALS,
    "campaign_worklist_header": _WORKLIST_COUNTS,
}

_TABLES = {
    "campaign_events": "events on a campaign page",
    "campaign_participants": "participants on an event page",
    "campaign_worklist": "articles of a worklist",
}


def _frames() -> dict[str, TemplateSpec]:
    frames: dict[str, TemplateSpec] = {}
    for table, what in _TABLES.items():
        header, end = f"{table}_header", f"{table}_end"
        frames[header] = TemplateSpec(
            key=header,
            name=TABLE_FRAMES[header],
            description=f"Opens the bot's sortable table of {what} and names its columns.",
            fields=(_COUNT, *_EXTRA_FIELDS.get(header, ())),
            bot_generated=True,
        )
        frames[end] = TemplateSpec(
            key=end,
            name=TABLE_FRAMES[end],
            description=f"Closes the bot's table of {what}.",
            fields=_EXTRA_FIELDS.get(end, ()),
            bot_generated=True,
        )
    frames["campaign_bot_region"] = TemplateSpec(
        key="campaign_bot_region",
        name=TABLE_FRAMES["campaign_bot_region"],
        description="A short note at the start of a part of the page that the bot keeps "
        "up to date, so that people write outside it.",
        fields=(
            FieldSpec(
                "1",
                Kind.TEXT,
                "Region",
                "Which part follows (events, participants, worklist, metrics, data); "
                "'end' shows nothing.",
            ),
        ),
        bot_generated=True,
    )
    missing = set(TABLE_FRAMES) - set(frames)
    if missing:
        raise RuntimeError(f"no frame spec for {sorted(missing)}")
    return frames


FRAME_SPECS: dict[str, TemplateSpec] = _frames()
