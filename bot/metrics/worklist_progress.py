"""How many items of each event's worklist are marked done.

The worklist table is the bot's ``worklist`` region on the worklist page. Its
header (``{{Campaign worklist header|...|done=N}}``) counts the items done over
the whole list, rows beyond the table's ``limit`` included, so that count is
used; a table without it (older tables) is counted by its rows marked
``done=yes``. The worklist page named by an event is read on the
event page's wiki, all of them in batched reads. A worklist page that is missing
or has no table gives "unknown" (None), not zero.
"""

from __future__ import annotations

from collections.abc import Iterable

import mwparserfromhell

from campaignkit.contract import WORKLIST_REGION
from campaignkit.manifest import Manifest, normalize_template_name
from campaignkit.wiki.batch import read_texts
from campaignkit.wiki.connection import WikiConnection
from campaignkit.wikitext.regions import RegionError, find_region
from campaignkit.wikitext.templates import find_calls


def done_in_table(text: str, manifest: Manifest, title: str = "") -> int | None:
    """Rows marked done in a worklist page's table, or None when it has no table."""
    try:
        region = find_region(text, WORKLIST_REGION, title)
    except RegionError:
        return None
    if region is None:
        return None
    content = region.content(text)
    header = normalize_template_name(manifest.frame_name("campaign_worklist_header"))
    for node in mwparserfromhell.parse(content).filter_templates(recursive=False):
        if normalize_template_name(str(node.name)) == header and node.has("done"):
            value = str(node.get("done").value).strip()
            if value.isdigit():
                return int(value)
    rows = find_calls(content, manifest.template("campaign_worklist_row"))
    return sum(
        1
        for row in rows
        if row.values.get("done", "").strip().lower() == "yes"
        and row.values.get("unlisted", "").strip().lower() != "yes"  # claimed, not in the list
    )


def worklist_done(
    connection: WikiConnection, titles: Iterable[str], manifest: Manifest
) -> dict[str, int | None]:
    """Items done per worklist page title (read 50/500 pages per request)."""
    wanted = [t for t in dict.fromkeys(titles) if t]
    if not wanted:
        return {}
    pages = read_texts(connection, wanted)
    return {
        title: done_in_table(page.text, manifest, title) if page.exists else None
        for title, page in pages.items()
    }
