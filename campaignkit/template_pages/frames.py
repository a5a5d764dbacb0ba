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
            fields=(_COUNT,),
            bot_generated=True,
        )
        frames[end] = TemplateSpec(
            key=end,
            name=TABLE_FRAMES[end],
            description=f"Closes the bot's table of {what}.",
            fields=(),
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
