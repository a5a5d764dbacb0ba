"""A campaign's metrics on its dashboard: every figure, progress toward goals, figures by day.

The metrics job measures every campaign and keeps one snapshot per run in the
tool's database (:mod:`bot.metrics.snapshots`), the same figures it writes into
the campaign page's ``metrics`` region. The dashboard shows the latest snapshot
(with its "as of" time), the goals the campaign page sets
(``goal_participants=`` …, read from the page as the dashboard already does), and
participants, edits, articles created and bytes added by day, drawn as SVG
(:mod:`webservice.charts`) from the last snapshot of each day (UTC).

Answers are cached like the dashboard's other reads (``web.cache_seconds``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from bot.metrics.compute import FIGURES, GoalProgress, goal_progress
from bot.metrics.snapshots import Snapshot, SnapshotStore
from campaignkit.config import Settings
from webservice.campaign_reads import cache
from webservice.charts import Chart, line_chart
from webservice.i18n import msg

logger = logging.getLogger(__name__)
CHARTED = ("participants", "edits", "articles_created", "bytes_added")
"""The figures drawn by day, in the order the dashboard shows them."""


@dataclass
class CampaignMetrics:
    """What the dashboard's metrics section shows; ``as_of`` None: never measured."""

    figures: list[tuple[str, int]] = field(default_factory=list)  # known figures, in order
    as_of: datetime | None = None
    goals: list[GoalProgress] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)


def by_day(snapshots: list[Snapshot], figure: str) -> list[tuple[date, int]]:
    """The last snapshot's value of each UTC day (snapshots oldest first)."""
    days: dict[date, int] = {}
    for snapshot in snapshots:
        value = getattr(snapshot.figures, figure)
        if value is not None:
            days[snapshot.taken.date()] = int(value)
    return sorted(days.items())


def _history(settings: Settings, title: str) -> list[Snapshot]:
    """The campaign page's snapshots; none when the tool's database cannot be read.

    The dashboard's other sections come from the wiki, so a database that is
    down hides this section (and logs why) instead of failing the page.
    """
    try:
        store = SnapshotStore(settings.database_url)
        return [s for s in store.history(settings.hub_id, title) if s.kind == "campaign"]
    except SQLAlchemyError as error:
        logger.warning("metrics snapshots of %s cannot be read: %s", title, error)
        return []


def campaign_metrics(
    settings: Settings, title: str, goals: dict[str, int], cache_seconds: float
) -> CampaignMetrics:
    """The campaign's metrics from its snapshots; the charts in the reader's language."""
    snapshots = cache.get(
        ("campaign-metrics", title), cache_seconds, lambda: _history(settings, title)
    )
    if not snapshots:
        return CampaignMetrics()
    latest = snapshots[-1]
    known = [(name, value) for name, value in latest.figures.as_dict().items() if value is not None]
    charts = []
    for figure in CHARTED:
        points = by_day(snapshots, figure)
        if not points:
            continue
        label = msg(f"metric-{figure}")
        description = msg(
            "chart-by-day-desc",
            label,
            points[0][0].isoformat(),
            points[-1][0].isoformat(),
            f"{points[0][1]:,}",
            f"{points[-1][1]:,}",
        )
        svg = line_chart(
            points,
            chart_id=f"chart-{figure}",
            title=msg("chart-by-day-title", label),
            description=description,
        )
        charts.append(Chart(figure, label, tuple(points), svg))
    return CampaignMetrics(
        figures=sorted(known, key=lambda item: FIGURES.index(item[0])),  # type: ignore[arg-type]
        as_of=latest.taken,
        goals=goal_progress(latest.figures, goals),
        charts=charts,
    )


def for_dashboard(settings: Settings, dashboard: Any, cache_seconds: float) -> CampaignMetrics:
    """The metrics section of a dashboard (goals from its campaign page, if it reads)."""
    goals = dashboard.campaign.goals() if dashboard.campaign is not None else {}
    return campaign_metrics(settings, dashboard.title, goals, cache_seconds)
