"""Pictures of the division of labour, drawn on the server as SVG (works under the strict
CSP and without JavaScript): who does what in one place, over time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

ROLE_COLOURS = {True: "#1f6feb", False: "#9aa7b5"}  # lead · other roles


@dataclass(frozen=True)
class Bar:
    label: str
    start: dt.date | None
    end: dt.date | None
    lead: bool
    active: bool
    where: str
    url: str


def area_timeline_svg(title: str, bars: list[Bar], width: int = 1200, today=None) -> str:
    """One row per assignment (actor — task), sorted by task then start; leads in blue,
    other roles in grey, planned or suspended work hatched; open ends run to the edge."""
    today = today or dt.date.today()
    if not bars:
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="60" role="img" '
            f'aria-label={quoteattr(title)}><text x="10" y="30">Nobody recorded here.'
            "</text></svg>"
        )
    bars = sorted(bars, key=lambda b: (b.label.split(" — ")[-1], b.start or dt.date.min))[:400]
    known = [d for b in bars for d in (b.start, b.end) if d] or [today]
    first = dt.date(min(known).year, 1, 1)
    last = dt.date(max([*known, today]).year + 1, 1, 1)
    left, right, top, row_h = 330, 20, 46, 18
    height = top + len(bars) * row_h + 60
    per_day = (width - left - right) / max(1, (last - first).days)

    def x(d: dt.date | None, default: float) -> float:
        return default if d is None else left + (d - first).days * per_day

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label={quoteattr(title)} font-family="sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
        '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="3" height="6" fill="#ccc"/></pattern></defs>',
        f'<rect width="{width}" height="{height}" fill="#fff"/>',
        f'<text x="10" y="20" font-size="15" font-weight="bold">{escape(title)}</text>',
    ]
    axis_y = top + len(bars) * row_h + 6
    step = max(1, (last.year - first.year) // 12)
    for year in range(first.year, last.year + 1, step):
        xx = x(dt.date(year, 1, 1), left)
        out.append(
            f'<line x1="{xx:.1f}" y1="{top - 4}" x2="{xx:.1f}" y2="{axis_y}" stroke="#eee"/>'
            f'<text x="{xx:.1f}" y="{axis_y + 14}" text-anchor="middle">{year}</text>'
        )
    for i, b in enumerate(bars):
        y = top + i * row_h
        x1 = x(b.start, left)
        x2 = max(x1 + 3, x(b.end, width - right))
        fill = ROLE_COLOURS[b.lead] if b.active else "url(#hatch)"
        when = f"{b.start or 'open'} – {b.end or 'open'}"
        tip = f"{b.label} in {b.where}: {'lead' if b.lead else 'other role'}, {when}"
        out.append(
            f"<a href={quoteattr(b.url)} xlink:href={quoteattr(b.url)}><title>{escape(tip)}</title>"
            f'<text x="{left - 6}" y="{y + 12}" text-anchor="end">{escape(b.label[:55])}</text>'
            f'<rect x="{x1:.1f}" y="{y + 2}" width="{x2 - x1:.1f}" height="{row_h - 5}" rx="2" '
            f'fill="{fill}" stroke="#333" stroke-width="0.4"/></a>'
        )
    ly = axis_y + 36
    out.append(
        f'<rect x="{left}" y="{ly - 10}" width="12" height="12" fill="{ROLE_COLOURS[True]}"/>'
        f'<text x="{left + 16}" y="{ly}">lead</text>'
        f'<rect x="{left + 60}" y="{ly - 10}" width="12" height="12" fill="{ROLE_COLOURS[False]}"/>'
        f'<text x="{left + 76}" y="{ly}">support · monitor · funder</text>'
        f'<rect x="{left + 250}" y="{ly - 10}" width="12" height="12" fill="url(#hatch)"/>'
        f'<text x="{left + 266}" y="{ly}">planned or suspended</text>'
    )
    out.append("</svg>")
    return "\n".join(out)
