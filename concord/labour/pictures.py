"""Pictures of the division of labour, drawn on the server as SVG (works under the strict
CSP and without JavaScript): who does what in one place, over time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from xml.sax.saxutils import escape, quoteattr

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from concord.core.timeaxis import window

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
        nobody = escape(_("Nobody recorded here."))
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="60" role="img" '
            f'aria-label={quoteattr(title)}><text x="10" y="30">{nobody}</text></svg>'
        )
    bars = sorted(bars, key=lambda b: (b.label.split(" — ")[-1], b.start or dt.date.min))[:400]
    first, last = window([d for b in bars for d in (b.start, b.end) if d], today)
    left, right, top, row_h = 330, 20, 46, 18
    height = top + len(bars) * row_h + 60
    per_day = (width - left - right) / max(1, (last - first).days)

    def x(d: dt.date | None, default: float) -> float:
        return default if d is None else left + (min(max(d, first), last) - first).days * per_day

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
    open_end = _("open")
    for i, b in enumerate(bars):
        y = top + i * row_h
        x1 = x(b.start, left)
        x2 = max(x1 + 3, x(b.end, width - right))
        fill = ROLE_COLOURS[b.lead] if b.active else "url(#hatch)"
        when = f"{b.start or open_end} – {b.end or open_end}"
        values = {"label": b.label, "where": b.where, "when": when}
        if b.lead:
            tip = _("%(label)s in %(where)s: lead, %(when)s") % values
        else:
            tip = _("%(label)s in %(where)s: other role, %(when)s") % values
        out.append(
            f"<a href={quoteattr(b.url)} xlink:href={quoteattr(b.url)}><title>{escape(tip)}</title>"
            f'<text x="{left - 6}" y="{y + 12}" text-anchor="end">{escape(b.label[:55])}</text>'
            f'<rect x="{x1:.1f}" y="{y + 2}" width="{x2 - x1:.1f}" height="{row_h - 5}" rx="2" '
            f'fill="{fill}" stroke="#333" stroke-width="0.4"/></a>'
        )
    ly = axis_y + 36
    lead = escape(_("lead"))
    others = escape(_("support · monitor · funder"))
    idle = escape(_("planned or suspended"))
    out.append(
        f'<rect x="{left}" y="{ly - 10}" width="12" height="12" fill="{ROLE_COLOURS[True]}"/>'
        f'<text x="{left + 16}" y="{ly}">{lead}</text>'
        f'<rect x="{left + 60}" y="{ly - 10}" width="12" height="12" fill="{ROLE_COLOURS[False]}"/>'
        f'<text x="{left + 76}" y="{ly}">{others}</text>'
        f'<rect x="{left + 250}" y="{ly - 10}" width="12" height="12" fill="url(#hatch)"/>'
        f'<text x="{left + 266}" y="{ly}">{idle}</text>'
    )
    out.append("</svg>")
    return "\n".join(out)


# --- the 4W matrix as a map ---------------------------------------------------------------

LEAD_COLOURS = ["#dee2e6", "#8ccf9a", "#f2c14e"]  # no lead · 1 lead actor · 2 or more
FLAG_COLOURS = {"gap": "#c92a2a", "clash": "#862e9c", "overlap": "#e8590c"}  # worst first
FLAG_LETTERS = {"gap": "G", "overlap": "O", "clash": "C"}
FLAG_LABELS = {
    "gap": gettext_lazy("gap"),
    "overlap": gettext_lazy("overlap"),
    "clash": gettext_lazy("clash"),
}


def _flagged(flag: str, n: int) -> str:
    """ "2 tasks with a gap": one sentence per flag (the noun's article differs)."""
    if flag == "gap":
        text = ngettext("%(n)d task with a gap", "%(n)d tasks with a gap", n)
    elif flag == "overlap":
        text = ngettext("%(n)d task with an overlap", "%(n)d tasks with an overlap", n)
    else:
        text = ngettext("%(n)d task with a clash", "%(n)d tasks with a clash", n)
    return text % {"n": n}


@dataclass(frozen=True)
class Spot:
    """One column of the 4W matrix: a country (shaded) or an area (a dot at its point)."""

    label: str
    leads: int  # distinct lead actors, all tasks in scope
    flags: tuple[str, ...]  # of "gap", "overlap", "clash"
    detail: str  # the tooltip
    url: str
    numeric: str = ""  # ISO numeric code, for a country
    point: tuple[float, float] | None = None  # (latitude, longitude), for an area

    @property
    def fill(self) -> str:
        return LEAD_COLOURS[min(self.leads, 2)]

    @property
    def worst(self) -> str:
        return next((f for f in FLAG_COLOURS if f in self.flags), "")

    @property
    def tip(self) -> str:
        lead = ngettext("%(n)d lead actor", "%(n)d lead actors", self.leads) % {"n": self.leads}
        return f"{self.label}: {lead}; {self.detail}"


def place_summary(cells: list[dict | None]) -> tuple[int, tuple[str, ...], str]:
    """A matrix column in one line: distinct lead actors, the flags present, and the counts
    (for the tooltip)."""
    present = [c for c in cells if c]
    leads = set().union(*(c["lead_ids"] for c in present)) if present else set()
    counts = {flag: sum(1 for c in present if c[flag]) for flag in FLAG_LETTERS}
    flags = tuple(f for f in FLAG_LETTERS if counts[f])
    detail = ", ".join(_flagged(f, n) for f, n in counts.items() if n)
    return len(leads), flags, detail or _("nothing flagged")


@lru_cache(maxsize=512)  # a zoomed map asks for every country's box: parse each path once
def _bbox(d: str) -> tuple[float, float, float, float]:
    xs, ys = [], []
    for pair in d.replace("M", " ").replace("L", " ").replace("Z", " ").split():
        x, y = pair.split(",")
        xs.append(float(x))
        ys.append(float(y))
    return min(xs), min(ys), max(xs), max(ys)


def matrix_map_svg(
    title: str, spots: list[Spot], paths: dict, focus: str = "", width: int = 900
) -> str:
    """The 4W matrix on a map, coloured as the matrix is: fill by the number of lead actors
    (none, one, two or more), outline by the worst flag (gap, then clash, then overlap), and
    the flags' letters beside each region. Countries are shaded; areas are dots at their
    points. ``paths``: ISO numeric code -> (SVG path in a 360x180 frame, label point), as from
    ``core.pictures.world_paths``. ``focus``: a numeric code to zoom to."""
    if focus and focus in paths:
        x0, y0, x1, y1 = _bbox(paths[focus][0])
        pad = max(x1 - x0, y1 - y0) * 0.08 + 0.5
        x0, y0, x1, y1 = x0 - pad, y0 - pad, x1 + pad, y1 + pad
    else:
        x0, y0, x1, y1 = 0.0, 0.0, 360.0, 180.0
    scale = width / (x1 - x0)
    height = int((y1 - y0) * scale)
    by_country = {s.numeric: s for s in spots if s.numeric}
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'width="{width}" height="{height + 30}" viewBox="0 0 {width} {height + 30}" role="img" '
        f'aria-label={quoteattr(title)} font-family="sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#eef4fa"/>',
        f'<g transform="scale({scale:.4f}) translate({-x0:.3f},{-y0:.3f})" stroke="#999" '
        f'stroke-width="{0.6 / scale:.4f}">',
    ]
    for code, (d, _label) in sorted(paths.items()):
        spot = by_country.get(code)
        if focus and code != focus:  # zoomed on one country: only its neighbours show
            bx0, by0, bx1, by1 = _bbox(d)
            if bx1 < x0 or bx0 > x1 or by1 < y0 or by0 > y1:
                continue
        if spot is None:
            out.append(f'<path d="{d}" fill="#ffffff" data-country="{code}"></path>')
            continue
        stroke = (
            f' stroke="{FLAG_COLOURS[spot.worst]}" stroke-width="{2.5 / scale:.4f}"'
            if spot.worst and not focus
            else ""
        )
        faint = ' fill-opacity="0.35"' if focus else ""  # the regions' dots come first
        out.append(
            f"<a href={quoteattr(spot.url)} xlink:href={quoteattr(spot.url)}>"
            f'<path d="{d}" fill="{spot.fill}"{stroke}{faint} data-country="{code}">'
            f"<title>{escape(spot.tip)}</title></path></a>"
        )
    out.append("</g>")
    dots = []
    for s in spots:
        if s.point is None:
            continue
        lat, lon = s.point
        cx, cy = (lon + 180 - x0) * scale, (90 - lat - y0) * scale
        if 0 <= cx <= width and 0 <= cy <= height:
            letters = " ".join(FLAG_LETTERS[f] for f in s.flags)
            dots.append((s, cx, cy, s.label + (f" · {letters}" if letters else "")))
    spots_at = [(cx, cy) for _, cx, cy, _ in dots]
    placed = place_labels([(cx, cy, text) for _, cx, cy, text in dots], spots_at, width, height)
    for (s, cx, cy, text), (tx, ty, anchor) in zip(dots, placed, strict=True):
        stroke = FLAG_COLOURS[s.worst] if s.worst else "#222"
        out.append(
            f"<a href={quoteattr(s.url)} xlink:href={quoteattr(s.url)} "
            f"data-place={quoteattr(s.label)}>"
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="10" fill="{s.fill}" stroke="{stroke}" '
            f'stroke-width="{4 if s.worst else 1}"><title>{escape(s.tip)}</title></circle>'
            f'<text x="{tx:.1f}" y="{ty:.1f}" text-anchor="{anchor}" fill="#111" '
            f'paint-order="stroke" stroke="#fff" stroke-width="3">{escape(text)}</text></a>'
        )
    x, y = 10, height + 20
    legend = [(c, str(label), "#999") for c, label in zip(LEAD_COLOURS, LEAD_LABELS, strict=True)]
    legend += [
        ("#ffffff", f"{FLAG_LABELS[f]} ({FLAG_LETTERS[f]})", c) for f, c in FLAG_COLOURS.items()
    ]
    for fill, label, stroke in legend:
        out.append(
            f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{fill}" stroke="{stroke}" '
            f'stroke-width="{1 if stroke == "#999" else 3}"/>'
            f'<text x="{x + 17}" y="{y}">{escape(label)}</text>'
        )
        x += 32 + 7 * len(label)
    out.append("</svg>")
    return "\n".join(out)


LEAD_LABELS = [
    gettext_lazy("no lead"),
    gettext_lazy("1 lead actor"),
    gettext_lazy("2+ lead actors"),
]

CHAR_WIDTH = 7.0  # 12 px sans-serif, on average
RADIUS = 10


def _box(x: float, y: float, anchor: str, text: str) -> tuple[float, float, float, float]:
    w = CHAR_WIDTH * len(text)
    left = {"start": x, "end": x - w, "middle": x - w / 2}[anchor]
    return (left, y - 11, left + w, y + 3)


def _overlap(a, b) -> float:
    dx = min(a[2], b[2]) - max(a[0], b[0])
    dy = min(a[3], b[3]) - max(a[1], b[1])
    return dx * dy if dx > 0 and dy > 0 else 0.0


def place_labels(items, dots, width: float, height: float) -> list[tuple[float, float, str]]:
    """Where to write each dot's label (x, y, text-anchor) so that labels cover neither each
    other nor the dots: right of its dot, else left, above or below, whichever overlaps least
    (greedily, from the top of the map down)."""
    placed: dict[int, tuple[float, float, str]] = {}
    boxes: list[tuple[float, float, float, float]] = []
    discs = [(x - RADIUS, y - RADIUS, x + RADIUS, y + RADIUS) for x, y in dots]
    for i in sorted(range(len(items)), key=lambda k: (items[k][1], items[k][0])):
        cx, cy, text = items[i]
        options = [
            (cx + RADIUS + 5, cy + 4, "start"),
            (cx - RADIUS - 5, cy + 4, "end"),
            (cx, cy - RADIUS - 5, "middle"),
            (cx, cy + RADIUS + 15, "middle"),
        ]

        def cost(option, text=text):
            box = _box(*option, text)
            outside = max(0.0, -box[0]) + max(0.0, box[2] - width) + max(0.0, -box[1])
            outside += max(0.0, box[3] - height)
            return sum(_overlap(box, b) for b in (*boxes, *discs)) + 50 * outside

        best = min(options, key=cost)
        placed[i] = best
        boxes.append(_box(*best, text))
    return [placed[i] for i in range(len(items))]
