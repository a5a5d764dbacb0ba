"""Every campaign page of the hub as the bot last read it: name, topics, parent.

The calendar names each event's campaign and filters by its topics; a parent
campaign counts its children's events. Both need *every* campaign page, while a
scheduled run reads only the pages that changed. So each campaign page's fields
are remembered here at the revision they were read, and a run reads (in one
batch) only the campaign pages whose revision id in the run's listing differs —
reusing the texts the sync already read in the same run. A campaign page that
is no longer listed is forgotten. Losing this table costs one batched read of
the campaign pages, nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, Integer, String, Table, select

from bot.run.loop import BotRun
from bot.run.page_state import PageState
from campaignkit.campaign_tree import CampaignTree, build_tree, normalize_title
from campaignkit.codecs.calendar_data import CampaignInfo, split_topics
from campaignkit.database import engine_for, metadata
from campaignkit.model import read_campaign
from campaignkit.wiki.batch import PageText, read_texts

campaign_pages = Table(
    "campaign_pages",
    metadata,
    Column("wiki", String(64), primary_key=True),
    Column("title", String(255), primary_key=True),
    Column("revid", Integer, nullable=False),
    Column("name", String(255), nullable=False, default=""),
    Column("topic", String(1000), nullable=False, default=""),
    Column("parent", String(255), nullable=False, default=""),
    Column("updated", DateTime, nullable=False),
)


@dataclass(frozen=True)
class RecordedCampaign:
    """One campaign page's fields at the revision they were read."""

    title: str
    revid: int
    name: str = ""
    topic: str = ""
    parent: str = ""

    def info(self) -> CampaignInfo:
        """What the calendar shows of it."""
        return CampaignInfo(self.title, self.name, split_topics(self.topic), self.parent)


class CampaignState:
    """The hub's campaign pages, remembered by revision."""

    def __init__(self, database_url: str) -> None:
        self.engine = engine_for(database_url)

    @classmethod
    def beside(cls, state: PageState) -> CampaignState:
        """In the same database as the event pages' state (recorded together, lost together)."""
        campaigns = cls.__new__(cls)
        campaigns.engine = state.engine
        campaign_pages.create(state.engine, checkfirst=True)  # the engine may predate the table
        return campaigns

    def entries(self, wiki_id: str) -> dict[str, RecordedCampaign]:
        """Recorded campaign pages of one wiki, by title."""
        table = campaign_pages.c
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(table.title, table.revid, table.name, table.topic, table.parent).where(
                    table.wiki == wiki_id
                )
            )
            return {row[0]: RecordedCampaign(*row) for row in rows}

    def replace(self, wiki_id: str, campaigns: Mapping[str, RecordedCampaign]) -> None:
        """Remember exactly these campaign pages of the wiki (others are forgotten)."""
        now = datetime.now(UTC).replace(tzinfo=None)
        with self.engine.begin() as connection:
            connection.execute(campaign_pages.delete().where(campaign_pages.c.wiki == wiki_id))
            if campaigns:
                connection.execute(
                    campaign_pages.insert(),
                    [
                        {
                            "wiki": wiki_id,
                            "title": c.title,
                            "revid": c.revid,
                            "name": c.name[:255],
                            "topic": c.topic[:1000],
                            "parent": c.parent[:255],
                            "updated": now,
                        }
                        for c in campaigns.values()
                    ],
                )

    def follow(self, wiki_id: str, edits: Mapping[str, tuple[int, int]]) -> None:
        """Move records read at revision ``old`` to ``new`` (the bot's own, unmerged edits)."""
        table = campaign_pages.c
        with self.engine.begin() as connection:
            for title, (old, new) in edits.items():
                connection.execute(
                    campaign_pages.update()
                    .where(table.wiki == wiki_id, table.title == title, table.revid == old)
                    .values(revid=new)
                )


@dataclass
class Campaigns:
    """Every campaign of the hub for this run, and who is part of whom."""

    infos: dict[str, CampaignInfo]
    tree: CampaignTree
    texts: dict[str, PageText]  # campaign pages read in this run (none when nothing changed)


def hub_campaigns(
    run: BotRun,
    state: CampaignState,
    already_read: Mapping[str, PageText] | None = None,
    *,
    dry_run: bool = False,
) -> Campaigns:
    """The hub's campaigns, reading only pages changed since they were recorded.

    ``already_read``: campaign pages another task read in this run (not read
    again). Raises the listing's :class:`~campaignkit.wiki.errors.WikiError`
    when the hub cannot be listed; a batch that cannot be read raises too, so
    the caller keeps what it had rather than losing every campaign's topics.
    """
    settings = run.settings
    hub_id = settings.hub_id
    listed = {page.title: page for page in run.listing.embedding(hub_id, "campaign")}
    recorded = state.entries(hub_id)
    known = dict(already_read or {})
    wanted = [
        title
        for title, page in listed.items()
        if (title not in recorded or recorded[title].revid != page.revid)
        and not (title in known and known[title].revid == page.revid)
    ]
    texts = read_texts(run.farm[hub_id], wanted) if wanted else {}
    if texts:
        run.summary.read(hub_id, len(texts))
    known.update(texts)
    manifest = run.listing.manifest(hub_id)
    current: dict[str, RecordedCampaign] = {}
    for title, page in listed.items():
        text = known.get(title)
        if text is None or not text.exists or text.revid != page.revid:
            if title in recorded:
                current[title] = recorded[title]
            continue
        reading = read_campaign(
            text.text, title=title, wiki=hub_id, manifest=manifest, wiki_ids=set(settings.wikis)
        )
        model = reading.model
        current[title] = RecordedCampaign(
            title,
            page.revid,
            model.name if model else "",
            model.topic if model else "",
            normalize_title(model.parent) if model and model.parent else "",
        )
    if not dry_run and (current != recorded):
        state.replace(hub_id, current)
    infos = {title: c.info() for title, c in current.items()}
    tree = build_tree({title: c.parent for title, c in current.items()})
    return Campaigns(infos, tree, texts)
