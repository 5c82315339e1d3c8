"""Charts drawn on the server as SVG: no script, no CDN, printable, readable by screen readers.

Each chart is an <svg role="img"> with a <title> and <desc> naming what it shows; every bar or
point carries its own <title> (the value on hover). The page puts the same numbers in a table
beside the chart, which is what assistive technology reads in full.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 960, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 36
# Two series colours with enough contrast on white and in greyscale print (dark and mid blue).
COLOURS = ("#1f4e96", "#6fa8dc", "#b45f06")


@dataclass(frozen=True)
class Series:
    """One named row of values (None: nothing to show for that bucket)."""

    name: str
    values: list[float | None]


def _nice_max(value: float) -> float:
    """An axis maximum at or above `value` whose four gridlines fall on round numbers
    (steps of 1, 2 or 5 times a power of ten; whole steps for counts)."""
    if value <= 0:
        return 4
    quarter = value / 4
    power = 10 ** math.floor(math.log10(quarter))
    for step in (1, 2, 5, 10):
        if quarter <= step * power:
            return 4 * step * power
    return 40 * power


def _fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    text = f"{value:,.0f}" if float(value).is_integer() or abs(value) >= 100 else f"{value:,.1f}"
    return f"{text}{unit}"


def _axes(top: float, labels: list[str], unit: str) -> list[str]:
    parts = []
    plot_h = HEIGHT - TOP - BOTTOM
    for i in range(5):
        v = top * i / 4
        y = TOP + plot_h - plot_h * i / 4
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" class="axis" text-anchor="end">'
            f"{escape(_fmt(v, unit))}</text>"
        )
    step = max(1, math.ceil(len(labels) / 10))
    slot = (WIDTH - LEFT - RIGHT) / max(1, len(labels))
    for i, label in enumerate(labels):
        if i % step == 0:
            x = LEFT + slot * (i + 0.5)
            parts.append(
                f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" class="axis" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    return parts


def _frame(title: str, desc: str, body: list[str], series: list[Series]) -> Markup:
    legend = []
    x = LEFT
    for n, s in enumerate(series):
        legend.append(
            f'<rect x="{x}" y="{HEIGHT - 12}" width="10" height="10" fill="{COLOURS[n]}"/>'
            f'<text x="{x + 14}" y="{HEIGHT - 3}" class="legend">{escape(s.name)}</text>'
        )
        x += 24 + 7 * len(s.name)
    # Every text interpolated above and here went through escape(); numbers are formatted floats.
    return Markup(  # noqa: S704
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'preserveAspectRatio="xMidYMid meet">'
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>"
        + "".join(body)
        + "".join(legend)
        + "</svg>"
    )


def bars(title: str, labels: list[str], series: list[Series], unit: str = "") -> Markup:
    """Grouped bars, one group per bucket and one bar per series."""
    values = [v for s in series for v in s.values if v is not None]
    top = _nice_max(max(values, default=0))
    plot_h = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(1, len(labels))
    bar_w = max(1.0, slot * 0.8 / max(1, len(series)))
    body = _axes(top, labels, unit)
    for n, s in enumerate(series):
        for i, v in enumerate(s.values):
            if v is None:
                continue
            h = plot_h * v / top
            x = LEFT + slot * i + slot * 0.1 + bar_w * n
            body.append(
                f'<rect x="{x:.1f}" y="{TOP + plot_h - h:.1f}" width="{bar_w:.1f}" '
                f'height="{h:.1f}" fill="{COLOURS[n]}"><title>{escape(s.name)}, '
                f"{escape(labels[i])}: {escape(_fmt(v, unit))}</title></rect>"
            )
    return _frame(title, _describe(labels, series, unit), body, series)


def line(title: str, labels: list[str], series: list[Series], unit: str = "") -> Markup:
    """Lines with a dot per bucket (gaps where a value is missing)."""
    values = [v for s in series for v in s.values if v is not None]
    top = 100 if unit == "%" else _nice_max(max(values, default=0))  # shares: the whole scale
    plot_h = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(1, len(labels))
    body = _axes(top, labels, unit)
    for n, s in enumerate(series):
        points = []
        for i, v in enumerate(s.values):
            if v is None:
                points.append(None)
                continue
            points.append((LEFT + slot * (i + 0.5), TOP + plot_h - plot_h * v / top, i, v))
        run: list[str] = []
        for p in [*points, None]:
            if p is None:
                if len(run) > 1:
                    body.append(
                        f'<polyline points="{" ".join(run)}" fill="none" '
                        f'stroke="{COLOURS[n]}" stroke-width="2"/>'
                    )
                run = []
                continue
            run.append(f"{p[0]:.1f},{p[1]:.1f}")
        for p in points:
            if p is not None:
                body.append(
                    f'<circle cx="{p[0]:.1f}" cy="{p[1]:.1f}" r="3" fill="{COLOURS[n]}">'
                    f"<title>{escape(s.name)}, {escape(labels[p[2]])}: "
                    f"{escape(_fmt(p[3], unit))}</title></circle>"
                )
    return _frame(title, _describe(labels, series, unit), body, series)


def _describe(labels: list[str], series: list[Series], unit: str) -> str:
    """A one-sentence summary for screen readers (the table beside the chart has every value)."""
    parts = []
    for s in series:
        shown = [v for v in s.values if v is not None]
        if shown:
            parts.append(
                f"{s.name}: from {_fmt(shown[0], unit)} to {_fmt(shown[-1], unit)}, "
                f"highest {_fmt(max(shown), unit)}"
            )
    span = f"{labels[0]} to {labels[-1]}" if labels else "no period"
    return f"{span}. " + "; ".join(parts) + ". The table below lists every value."
