"""Timelines and maps as SVG, drawn on the server from plain data (pure functions).

SVG keeps the pictures exportable as they are (and as PNG in the browser), readable without
JavaScript, and free of inline script or style (the CSP forbids both): colours are
presentation attributes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from django.utils.translation import gettext, gettext_lazy

from concord.core.pictures import dot_points, world_paths
from concord.core.timeaxis import window

FRAMEWORK_COLOURS = {
    "un": "#1f77b4",
    "regional": "#2ca02c",
    "ad_hoc": "#d62728",
    "single_state": "#9467bd",
}
FRAMEWORK_LABELS = {
    "un": gettext_lazy("UN"),
    "regional": gettext_lazy("Regional organisation"),
    "ad_hoc": gettext_lazy("Ad hoc coalition"),
    "single_state": gettext_lazy("Single state"),
}
SCENARIO_MARKS = {
    "stand_alone": "S",
    "sequential": "→",
    "parallel": "‖",
    "fully_integrated": "◆",
    "multilateral": "",
}
SCENARIO_LABELS = {
    "stand_alone": gettext_lazy("stand-alone"),
    "sequential": gettext_lazy("sequential"),
    "parallel": gettext_lazy("parallel"),
    "fully_integrated": gettext_lazy("fully integrated"),
    "multilateral": gettext_lazy("multilateral"),
}


@dataclass(frozen=True)
class Bar:
    id: int
    label: str
    framework: str
    start: dt.date
    end: dt.date | None
    scenario: str | None
    url: str


def lanes(bars: list[Bar], today: dt.date) -> dict[int, int]:
    """Greedy interval packing: overlapping operations get separate lanes (stacked bands)."""
    ends: list[dt.date] = []
    out = {}
    for b in sorted(bars, key=lambda b: (b.start, b.id)):
        end = b.end or today
        for i, lane_end in enumerate(ends):
            if lane_end < b.start:
                ends[i] = end
                out[b.id] = i
                break
        else:
            ends.append(end)
            out[b.id] = len(ends) - 1
    return out


def _x(day: dt.date, first: dt.date, last: dt.date, per_day: float, left: float) -> float:
    """Where ``day`` falls on the axis from ``first`` to ``last`` (at its edge beyond them)."""
    return left + (min(max(day, first), last) - first).days * per_day


def timeline_svg(
    title: str,
    bars: list[Bar],
    arrows: Iterable[tuple[int, int, dt.date | None]],
    today: dt.date | None = None,
    width: int = 1200,
) -> str:
    """Operations as bars on a time axis; handovers as arrows from one bar to the next."""
    today = today or dt.date.today()
    if not bars:
        empty = escape(gettext("No operations to show."))
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="60" '
            f'role="img" aria-label={quoteattr(title)}><text x="10" y="30">'
            f"{empty}</text></svg>"
        )
    lane_of = lanes(bars, today)
    first, last = window([d for b in bars for d in (b.start, b.end) if d], today)
    left, right, top, lane_h = 20, 20, 50, 26
    n_lanes = max(lane_of.values()) + 1
    height = top + n_lanes * lane_h + 70
    per_day = (width - left - right) / max(1, (last - first).days)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label={quoteattr(title)} font-family="sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#333"/></marker></defs>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{left}" y="20" font-size="15" font-weight="bold">{escape(title)}</text>',
    ]
    # Axis: a tick per year (or per 5/10 years when the span is long).
    span = last.year - first.year
    step = 1 if span <= 15 else 5 if span <= 60 else 10
    axis_y = top + n_lanes * lane_h + 8
    out.append(
        f'<line x1="{left}" y1="{axis_y}" x2="{width - right}" y2="{axis_y}" stroke="#555"/>'
    )
    for year in range(first.year, last.year + 1):
        if (year - first.year) % step:
            continue
        x = _x(dt.date(year, 1, 1), first, last, per_day, left)
        out.append(
            f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{axis_y + 4}" stroke="#ddd"/>'
            f'<text x="{x:.1f}" y="{axis_y + 16}" text-anchor="middle">{year}</text>'
        )
    pos = {}
    for b in sorted(bars, key=lambda b: (lane_of[b.id], b.start)):
        x1 = _x(b.start, first, last, per_day, left)
        x2 = max(x1 + 3, _x(b.end or today, first, last, per_day, left))
        y = top + lane_of[b.id] * lane_h
        pos[b.id] = (x1, x2, y)
        colour = FRAMEWORK_COLOURS.get(b.framework, "#777")
        scen = SCENARIO_LABELS.get(b.scenario or "") or gettext("not classified")
        until = b.end.isoformat() if b.end else gettext("ongoing")
        when = f"{b.start.isoformat()} – {until}"
        tip = f"{b.label}: {FRAMEWORK_LABELS.get(b.framework, b.framework)}, {when}; {scen}"
        dash = ' stroke-dasharray="4 2"' if b.end is None else ""
        mark = SCENARIO_MARKS.get(b.scenario or "", "")
        out.append(
            f"<a href={quoteattr(b.url)} xlink:href={quoteattr(b.url)} "
            f'data-operation="{b.id}"><title>{escape(tip)}</title>'
            f'<rect x="{x1:.1f}" y="{y}" width="{x2 - x1:.1f}" height="{lane_h - 8}" rx="3" '
            f'fill="{colour}" fill-opacity="0.85" stroke="#222" stroke-width="0.6"{dash}/>'
            f'<text x="{x1 + 3:.1f}" y="{y + lane_h - 13}" fill="#000">'
            f"{escape((mark + ' ') if mark else '')}{escape(b.label)}</text></a>"
        )
    handed_over = escape(gettext("handed over"))
    for src, tgt, _day in arrows:
        if src in pos and tgt in pos:
            sx1, sx2, sy = pos[src]
            tx1, _tx2, ty = pos[tgt]
            out.append(
                f'<path d="M{sx2:.1f},{sy + (lane_h - 8) / 2:.1f} C{sx2 + 25:.1f},'
                f"{sy + (lane_h - 8) / 2:.1f} {tx1 - 25:.1f},{ty + (lane_h - 8) / 2:.1f} "
                f'{tx1:.1f},{ty + (lane_h - 8) / 2:.1f}" fill="none" stroke="#333" '
                f'stroke-width="1.4" marker-end="url(#arrow)"><title>'
                f"{handed_over}</title></path>"
            )
    # Legend
    ly = axis_y + 36
    x = left
    for fw, colour in FRAMEWORK_COLOURS.items():
        out.append(
            f'<rect x="{x}" y="{ly - 10}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{x + 16}" y="{ly}">{escape(str(FRAMEWORK_LABELS[fw]))}</text>'
        )
        x += 20 + 7 * len(str(FRAMEWORK_LABELS[fw]))
    marks = ", ".join(f"{m} {SCENARIO_LABELS[s]}" for s, m in SCENARIO_MARKS.items() if m)
    legend = gettext("%(marks)s; arrows: handovers; dashed: ongoing") % {"marks": marks}
    out.append(f'<text x="{x + 10}" y="{ly}">{escape(legend)}</text>')
    out.append("</svg>")
    return "\n".join(out)


# --- the world map -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pin:
    id: int
    label: str
    framework: str
    scenario: str | None
    countries: tuple[str, ...]  # ISO numeric codes
    url: str


def map_svg(title: str, pins: list[Pin], names: Mapping[str, str], width: int = 1200) -> str:
    """Countries hosting an active operation shaded; one dot per operation per host country,
    coloured by framework, linking to the operation."""
    paths = world_paths()
    scale = width / 360
    height = int(180 * scale) + 40
    hosting: dict[str, list[Pin]] = {}
    for p in pins:
        for c in p.countries:
            hosting.setdefault(c, []).append(p)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label={quoteattr(title)} font-family="sans-serif" font-size="10">',
        f"<title>{escape(title)}</title>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#eef4fa"/>',
        f'<g transform="scale({scale:.4f})" stroke="#999" stroke-width="{0.4 / scale:.3f}">',
    ]
    for code, (d, _label) in sorted(paths.items()):
        fill = "#f6d58e" if code in hosting else "#ffffff"
        name = names.get(code, code)
        ops = ", ".join(p.label for p in hosting.get(code, []))
        tip = (
            gettext("%(country)s: %(operations)s") % {"country": name, "operations": ops}
            if ops
            else name
        )
        out.append(
            f'<path d="{d}" fill="{fill}" data-country="{code}"><title>{escape(tip)}</title></path>'
        )
    out.append("</g>")
    for code, ops in sorted(hosting.items()):
        if code not in paths:
            continue
        # side by side inside the country (closer where it is narrow): never in the sea
        for (x, y), p in zip(dot_points(code, len(ops)), ops, strict=True):
            cx, cy = x * scale, y * scale
            colour = FRAMEWORK_COLOURS.get(p.framework, "#777")
            scen = SCENARIO_LABELS.get(p.scenario or "") or gettext("not classified")
            tip = f"{p.label} ({scen})"
            out.append(
                f"<a href={quoteattr(p.url)} xlink:href={quoteattr(p.url)} "
                f'data-operation="{p.id}"><circle cx="{cx:.1f}" cy="{cy:.1f}" r="4" '
                f'fill="{colour}" stroke="#222" stroke-width="0.6"><title>{escape(tip)}</title>'
                "</circle></a>"
            )
    y = int(180 * scale) + 25
    x = 10
    for fw, colour in FRAMEWORK_COLOURS.items():
        out.append(
            f'<circle cx="{x + 5}" cy="{y - 4}" r="5" fill="{colour}"/>'
            f'<text x="{x + 14}" y="{y}">{escape(str(FRAMEWORK_LABELS[fw]))}</text>'
        )
        x += 24 + 7 * len(str(FRAMEWORK_LABELS[fw]))
    out.append(f'<text x="{x + 10}" y="{y}">{escape(title)}</text></svg>')
    return "\n".join(out)
