"""Charts as server-rendered SVG: no JavaScript, every text escaped, and an accessible name and description.
The page shows the same numbers in a table, for screen readers and for copying."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup, escape

WIDTH = 720
VALUE_ROOM = 130  # room right of the longest bar for its amount
LEGEND = 30
LABEL = 18
BAR = 16
BAR_GAP = 4
GROUP_GAP = 18
GROUP = LABEL + 2 * BAR + BAR_GAP + GROUP_GAP
INK, MUTED = "#1b1f24", "#5b6470"
SERIES = (  # fill, stroke: the first series light with an outline, the second solid, so they differ without colour
    ("#d8dde3", MUTED),
    ("#0b5cad", "#0b5cad"),
)


@dataclass(frozen=True)
class PairedRow:
    label: str
    first: Decimal
    second: Decimal


def paired_bar_chart(
    rows: Sequence[PairedRow],
    *,
    title: str,
    description: str,
    series: tuple[str, str],
    format_value: Callable[[Decimal], str],
    id_prefix: str = "chart",
) -> Markup:
    """A horizontal bar chart with two bars per row (e.g. planned and after mutations), as inline SVG."""
    height = LEGEND + GROUP * len(rows)
    largest = max((max(row.first, row.second) for row in rows), default=Decimal(0))
    scale = (WIDTH - VALUE_ROOM) / float(largest) if largest > 0 else 0.0
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{id_prefix}-title {id_prefix}-desc" '
        f'font-family="system-ui, sans-serif" font-size="13" fill="{INK}">',
        f'<title id="{id_prefix}-title">{escape(title)}</title>',
        f'<desc id="{id_prefix}-desc">{escape(description)}</desc>',
        _legend(series),
    ]
    for index, row in enumerate(rows):
        top = LEGEND + index * GROUP
        parts.append(f'<g><text x="0" y="{top + 13}" font-weight="600">{escape(row.label)}</text>')
        for offset, (name, value, (fill, stroke)) in enumerate(
            zip(series, (row.first, row.second), SERIES, strict=True)
        ):
            y = top + LABEL + offset * (BAR + BAR_GAP)
            width = max(0.0, float(value) * scale)
            text = format_value(value)
            parts.append(
                f'<rect x="0.5" y="{y + 0.5}" width="{width:.1f}" height="{BAR - 1}" fill="{fill}" stroke="{stroke}">'
                f"<title>{escape(name)}: {escape(text)}</title></rect>"
                f'<text x="{width + 6:.1f}" y="{y + 12}" font-size="12">{escape(text)}</text>'
            )
        parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))


def _legend(series: tuple[str, str]) -> str:
    items, x = [], 0
    for name, (fill, stroke) in zip(series, SERIES, strict=True):
        items.append(
            f'<rect x="{x + 0.5}" y="4.5" width="14" height="11" fill="{fill}" stroke="{stroke}"/>'
            f'<text x="{x + 20}" y="14" font-size="12">{escape(name)}</text>'
        )
        x += 28 + 7 * len(name)  # a rough width; the legend has room to spare
    return f"<g>{''.join(items)}</g>"
