"""Charts drawn on the server as SVG: no script, no charting library.

Each chart is decorative for assistive technology (role="img" with a
label); the page prints the same figures in a table beside it, which is
what screen readers read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

ACCENT = "#2453a6"
MUTED = "#5a6677"
LINE = "#dde3ea"
INK = "#1c2430"


@dataclass(frozen=True)
class Point:
    label: str
    value: float | None  # None: no figure (suppressed or no data)


def _number(value: float) -> str:
    return f"{value:g}" if value != int(value) else f"{int(value)}"


def bar_chart(points: Sequence[Point], *, title: str, unit: str = "") -> SafeString:
    """Horizontal bars, one per point, with the figure at the end of each."""
    row, label_w, bar_w = 30, 210, 260
    height = max(len(points), 1) * row + 10
    top = max((p.value or 0) for p in points) if points else 0
    parts = [
        f'<svg class="chart" viewBox="0 0 {label_w + bar_w + 70} {height}" '
        f'role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg">'
    ]
    for n, point in enumerate(points):
        y = 5 + n * row
        label = point.label if len(point.label) <= 30 else point.label[:29] + "…"
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end" '
            f'font-size="13" fill="{INK}">{escape(label)}</text>'
        )
        if point.value is None:
            parts.append(
                f'<text x="{label_w}" y="{y + 17}" font-size="13" '
                f'fill="{MUTED}">–</text>'
            )
            continue
        width = 0 if not top else max(2, round(bar_w * point.value / top))
        parts.append(
            f'<rect x="{label_w}" y="{y + 4}" width="{width}" height="18" '
            f'rx="3" fill="{ACCENT}"/>'
        )
        parts.append(
            f'<text x="{label_w + width + 6}" y="{y + 17}" font-size="13" '
            f'fill="{INK}">{_number(point.value)}{escape(unit)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text is escaped above)


def line_chart(points: Sequence[Point], *, title: str, unit: str = "") -> SafeString:
    """A line over the points in order; gaps where a value is None."""
    width, height, left, bottom, top_pad = 560, 200, 40, 28, 14
    plot_w, plot_h = width - left - 10, height - bottom - top_pad
    values = [p.value for p in points if p.value is not None]
    top = max(values) if values else 0
    top = top or 1
    step = plot_w / max(len(points) - 1, 1)
    parts = [
        f'<svg class="chart chart-wide" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{width - 10}" '
        f'y2="{top_pad + plot_h}" stroke="{LINE}"/>',
        f'<text x="{left - 6}" y="{top_pad + 4}" text-anchor="end" font-size="11" '
        f'fill="{MUTED}">{_number(round(top, 1))}{escape(unit)}</text>',
        f'<text x="{left - 6}" y="{top_pad + plot_h}" text-anchor="end" '
        f'font-size="11" fill="{MUTED}">0</text>',
    ]
    segment: list[str] = []
    segments = [segment]
    for n, point in enumerate(points):
        x = left + n * step
        every = max(len(points) // 6, 1)
        # Every few months, and the last one unless it would overlap.
        if n % every == 0 or (n == len(points) - 1 and n % every > every // 2):
            parts.append(
                f'<text x="{x:.1f}" y="{height - 8}" text-anchor="middle" '
                f'font-size="11" fill="{MUTED}">{escape(point.label)}</text>'
            )
        if point.value is None:
            segment = []
            segments.append(segment)
            continue
        y = top_pad + plot_h - plot_h * point.value / top
        segment.append(f"{x:.1f},{y:.1f}")
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{ACCENT}"/>')
    for seg in segments:
        if len(seg) > 1:
            parts.append(
                f'<polyline points="{" ".join(seg)}" fill="none" '
                f'stroke="{ACCENT}" stroke-width="2"/>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text is escaped above)
