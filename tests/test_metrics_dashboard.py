"""The campaign dashboard's metrics: every figure, goals, and figures by day as SVG.

Unit tests for the SVG (pure functions), then the dashboard of a real campaign
page on the hub, whose goals the page sets and whose snapshots are in the
tool's database as the metrics job stores them.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta
from urllib.parse import quote

import pytest

from bot.metrics.compute import Figures
from bot.metrics.snapshots import Snapshot, SnapshotStore
from tests.web_support import app, client, web_settings  # noqa: F401 - fixtures
from webservice.campaign_metrics import by_day
from webservice.charts import line_chart, nice_ceiling

SVG = "{http://www.w3.org/2000/svg}"


def test_nice_ceiling():
    assert [nice_ceiling(v) for v in (0, 1, 2, 3, 7, 10, 11, 480, 501)] == [
        1,
        1,
        2,
        5,
        10,
        10,
        20,
        500,
        1000,
    ]


def test_line_chart_is_valid_svg_with_a_point_per_day_and_escaped_text():
    points = [(date(2027, 4, 20), 3), (date(2027, 4, 22), 10), (date(2027, 4, 21), 5)]
    svg = line_chart(
        points,
        chart_id="c1",
        title="Participants <script>alert(1)</script>",
        description='by day & "night"',
    )
    root = ET.fromstring(str(svg))
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find(f"{SVG}title").text == "Participants <script>alert(1)</script>"
    assert "<script>" not in str(svg)
    circles = root.findall(f"{SVG}circle")
    assert [c.find(f"{SVG}title").text for c in circles] == [
        "2027-04-20: 3",
        "2027-04-21: 5",
        "2027-04-22: 10",
    ]
    # Days are spaced by date, values on a 0..10 axis: the last point is at the top.
    xs = [float(c.get("cx")) for c in circles]
    ys = [float(c.get("cy")) for c in circles]
    assert xs[1] - xs[0] == pytest.approx(xs[2] - xs[1])
    assert ys[2] == pytest.approx(16.0) and ys[0] > ys[1] > ys[2]
    assert len(root.findall(f"{SVG}polyline")) == 1


def test_a_single_day_is_a_point_without_a_line():
    root = ET.fromstring(
        str(line_chart([(date(2027, 1, 1), 0)], chart_id="c", title="t", description="d"))
    )
    assert len(root.findall(f"{SVG}circle")) == 1
    assert root.findall(f"{SVG}polyline") == []


def _snapshot(taken: datetime, participants: int) -> Snapshot:
    return Snapshot(
        taken, "campaign", "metawiki", "C", "C", "api", Figures(participants=participants)
    )


def test_by_day_takes_each_days_last_snapshot():
    day = datetime(2027, 4, 20, 9, tzinfo=UTC)
    snapshots = [
        _snapshot(day, 1),
        _snapshot(day + timedelta(hours=5), 4),
        _snapshot(day + timedelta(days=2), 6),
    ]
    assert by_day(snapshots, "participants") == [(date(2027, 4, 20), 4), (date(2027, 4, 22), 6)]
    assert by_day(snapshots, "uploads") == []  # never measured


# --- the dashboard, against the real hub -------------------------------------------------


@pytest.mark.wiki
def test_dashboard_shows_every_figure_goals_and_charts(client, web_settings, human, unique_title):  # noqa: F811
    title = unique_title("Dashboard metrics")
    human("metawiki").edit(
        title,
        f"{{{{Campaign|name={title}|start=2027-04-15|end=2027-05-15"
        "|goal_participants=4|goal_bytes=1000|goal_uploads=2}}\n",
    )
    store = SnapshotStore(web_settings.database_url)
    # 01:00 UTC three days ago: the second snapshot, two hours later, is the same day.
    first = (datetime.now(UTC) - timedelta(days=3)).replace(
        hour=1, minute=0, second=0, microsecond=0
    )
    for offset, participants, edits, bytes_added in (
        (timedelta(0), 1, 2, 100),
        (timedelta(hours=2), 2, 5, 300),  # the same day, later: this one is drawn
        (timedelta(days=2), 3, 9, 1200),
    ):
        figures = Figures(
            participants=participants,
            edits=edits,
            articles_created=1,
            bytes_added=bytes_added,
            words_added=bytes_added * 1000 // 5175,
            references_added=7,
            uploads=2,
            uploads_used=1,
            upload_usage_pages=3,
        )
        store.record(
            "run", first + offset, "api", [("campaign", "metawiki", title, title, figures)]
        )
    page = client.get(f"/campaign/{quote(title)}")
    assert page.status_code == 200, page.text[:2000]
    html = page.text
    section = html.split('id="metrics-heading"', 1)[1]
    figures = dict(re.findall(r"<dt>([^<]+)</dt><dd>(\d+)</dd>", section))
    assert figures["References added"] == "7"
    assert figures["Files uploaded"] == "2"
    assert figures["Pages using the files"] == "3"
    assert figures["Bytes added"] == "1200"
    assert "Wikidata edits" not in figures  # not measured: not shown as 0
    # Goals: participants 3 of 4, bytes reached, uploads reached.
    assert '<progress max="4" value="3">' in section and "3 of 4 (75%)" in section
    assert '<progress max="1000" value="1000">' in section and "1200 of 1000 (120%)" in section
    assert section.count("· reached") == 2
    # Four charts, participants drawn from the last snapshot of each day.
    svgs = re.findall(r"<svg .*?</svg>", section, re.DOTALL)
    assert len(svgs) == 4
    participants = ET.fromstring(svgs[0])
    assert [c.find(f"{SVG}title").text for c in participants.findall(f"{SVG}circle")] == [
        f"{first.date().isoformat()}: 2",
        f"{(first + timedelta(days=2)).date().isoformat()}: 3",
    ]
    assert "Participants by day" in svgs[0]
    assert "<td>" + first.date().isoformat() + '</td><td class="number">300</td>' in section


@pytest.mark.wiki
def test_dashboard_without_snapshots_has_no_metrics_section(client, human, unique_title):  # noqa: F811
    title = unique_title("Dashboard unmeasured")
    human("metawiki").edit(
        title, f"{{{{Campaign|name={title}|start=2027-04-15|end=2027-05-15}}}}\n"
    )
    page = client.get(f"/campaign/{quote(title)}")
    assert page.status_code == 200
    assert 'id="metrics-heading"' not in page.text and "<svg" not in page.text
