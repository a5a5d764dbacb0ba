"""Charts drawn on the server as inline SVG: figures by day, no chart library, no script.

A dashboard is opened on phones at events and on slow connections; an inline
SVG costs no request and no JavaScript, and the page's Content-Security-Policy
(``style-src 'self'``) needs no exception because everything is drawn with SVG
attributes. Each chart is an image with a title and a description that says
what it shows in words (first and last day, first and last value), and the
template puts the same numbers in a table beside it for screen readers and
for copying into a report.

Every text that reaches the SVG goes through :func:`markupsafe.escape`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape

WIDTH = 640
HEIGHT = 220
MARGIN_LEFT = 64
MARGIN_RIGHT = 16
MARGIN_TOP = 16
MARGIN_BOTTOM = 36
LINE_COLOUR = "#36c"
GRID_COLOUR = "#c8ccd1"
TEXT_COLOUR = "#202122"


@dataclass(frozen=True)
class Chart:
    """A figure by day, drawn: the SVG and the points it was drawn from."""

    key: str
    title: str
    points: tuple[tuple[date, int], ...]
    svg: Markup


def nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5 × 10^k that is at least ``value`` (the y axis' top)."""
    if value <= 1:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def _number(value: float) -> str:
    """A coordinate with at most one decimal (short, stable output)."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def line_chart(
    points: Sequence[tuple[date, int]],
    *,
    chart_id: str,
    title: str,
    description: str,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> Markup:
    """An SVG line chart of values by day; days without a value are bridged by the line."""
    ordered = sorted(points)
    plot_width = width - MARGIN_LEFT - MARGIN_RIGHT
    plot_height = height - MARGIN_TOP - MARGIN_BOTTOM
    top = nice_ceiling(max((v for _, v in ordered), default=0))
    first_day = ordered[0][0] if ordered else date.today()
    span = max((ordered[-1][0] - first_day).days, 1) if ordered else 1

    def x(day: date) -> float:
        if len(ordered) == 1:
            return MARGIN_LEFT + plot_width / 2
        return MARGIN_LEFT + plot_width * (day - first_day).days / span

    def y(value: float) -> float:
        return MARGIN_TOP + plot_height * (1 - value / top)

    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" role="img" '
        f'aria-labelledby="{escape(title_id)} {escape(desc_id)}" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMidYMid meet">',
        f'<title id="{escape(title_id)}">{escape(title)}</title>',
        f'<desc id="{escape(desc_id)}">{escape(description)}</desc>',
    ]
    for step in range(5):  # grid lines and y labels at 0, 1/4, ... of the top
        value = top * step / 4
        at = _number(y(value))
        label = f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"
        parts.append(
            f'<line x1="{MARGIN_LEFT}" x2="{width - MARGIN_RIGHT}" y1="{at}" y2="{at}" '
            f'stroke="{GRID_COLOUR}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{MARGIN_LEFT - 6}" y="{at}" text-anchor="end" dominant-baseline="middle" '
            f'font-size="12" fill="{TEXT_COLOUR}">{escape(label)}</text>'
        )
    if ordered:
        labelled = [ordered[0][0]] if len(ordered) == 1 else [ordered[0][0], ordered[-1][0]]
        if len(ordered) > 2:
            labelled.insert(1, ordered[len(ordered) // 2][0])
        for index, day in enumerate(labelled):
            anchor = (
                "middle"
                if len(labelled) == 1
                else ("start", "middle", "end")[
                    0 if index == 0 else (2 if index == len(labelled) - 1 else 1)
                ]
            )
            parts.append(
                f'<text x="{_number(x(day))}" y="{height - 12}" text-anchor="{anchor}" '
                f'font-size="12" fill="{TEXT_COLOUR}">{escape(day.isoformat())}</text>'
            )
        coordinates = " ".join(f"{_number(x(d))},{_number(y(v))}" for d, v in ordered)
        if len(ordered) > 1:
            parts.append(
                f'<polyline points="{coordinates}" fill="none" stroke="{LINE_COLOUR}" '
                'stroke-width="2" stroke-linejoin="round"/>'
            )
        for day, value in ordered:
            parts.append(
                f'<circle cx="{_number(x(day))}" cy="{_number(y(value))}" r="3" '
                f'fill="{LINE_COLOUR}"><title>{escape(day.isoformat())}: '
                f"{escape(f'{value:,}')}</title></circle>"
            )
    parts.append("</svg>")
    return Markup("".join(parts))
