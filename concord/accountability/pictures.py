"""The web of accountability as SVG (server-drawn, no script): the operation in the middle,
the bodies it answers to around it, each spoke labelled with its mechanisms; what the web
lacks drawn as dashed red spokes."""

from __future__ import annotations

import math
from xml.sax.saxutils import escape, quoteattr

from django.utils.translation import gettext, gettext_lazy

from . import analysis

BODY_ORDER = [
    "security_council",
    "au_psc",
    "eu_psc",
    "other_multilateral",
    "host_state",
    "contributors",
    "donors",
    "civil_society",
    "local_population",
]
MISSING_NODE = {
    "multilateral": gettext_lazy("A multilateral body"),
    "population": gettext_lazy("Local population"),
    "human_rights": gettext_lazy("Human-rights oversight"),
}


def web_svg(
    title: str,
    centre: str,
    spokes: list[tuple[str, str, list[tuple[str, str]]]],
    missing: tuple[str, ...] = (),
    width: int = 860,
) -> str:
    """``spokes``: (body key, body label, [(mechanism label, url)]) per body with lines;
    ``missing``: keys of ``analysis.THIN_REASONS``."""
    height = 560
    cx, cy, radius = width / 2, height / 2 - 10, min(width, height) / 2 - 110
    nodes = [(key, str(label), lines, False) for key, label, lines in spokes]
    nodes += [(key, str(MISSING_NODE[key]), [], True) for key in missing]
    nodes.sort(key=lambda n: BODY_ORDER.index(n[0]) if n[0] in BODY_ORDER else 99)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label={quoteattr(title)} font-family="sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    n = max(len(nodes), 1)
    for i, (key, label, lines, is_missing) in enumerate(nodes):
        angle = -math.pi / 2 + 2 * math.pi * i / n
        x, y = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
        colour = "#c92a2a" if is_missing else "#1f6feb"
        dash = ' stroke-dasharray="6 4"' if is_missing else ""
        out.append(
            f'<line x1="{cx:.1f}" y1="{cy:.1f}" x2="{x:.1f}" y2="{y:.1f}" stroke="{colour}" '
            f'stroke-width="{2 + min(len(lines), 4)}"{dash} data-body="{escape(key)}"/>'
        )
        anchor = "middle" if abs(x - cx) < 40 else ("start" if x > cx else "end")
        out.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="9" fill="{"#fff" if is_missing else colour}" '
            f'stroke="{colour}" stroke-width="2"{dash}/>'
        )
        ty = y - 16 if y < cy else y + 24
        tx = x + (14 if anchor == "start" else -14 if anchor == "end" else 0)
        weight = ' font-weight="bold"'
        text = gettext("missing: %(label)s") % {"label": label} if is_missing else label
        out.append(
            f'<text x="{tx:.1f}" y="{ty:.1f}" text-anchor="{anchor}" fill="{colour}"{weight}>'
            f"{escape(text)}</text>"
        )
        for j, (mechanism, url) in enumerate(lines[:4]):
            ly = ty + 15 * (j + 1) * (1 if y >= cy else -1)
            out.append(
                f"<a href={quoteattr(url)} xlink:href={quoteattr(url)}>"
                f'<text x="{tx:.1f}" y="{ly:.1f}" text-anchor="{anchor}" fill="#333">'
                f"{escape(mechanism)}</text></a>"
            )
        if len(lines) > 4:
            ly = ty + 15 * 5 * (1 if y >= cy else -1)
            more = gettext("… and %(n)s more") % {"n": len(lines) - 4}
            out.append(
                f'<text x="{tx:.1f}" y="{ly:.1f}" text-anchor="{anchor}" fill="#333">'
                f"{escape(more)}</text>"
            )
    out.append(
        f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="34" fill="#f6d58e" stroke="#333"/>'
        f'<text x="{cx:.1f}" y="{cy + 4:.1f}" text-anchor="middle" font-weight="bold">'
        f"{escape(centre[:18])}</text>"
    )
    reasons = "; ".join(str(analysis.THIN_REASONS[k]) for k in missing)
    footer = (
        gettext("Thin accountability: %(reasons)s.") % {"reasons": reasons}
        if missing
        else gettext("No gap in the web's three tests.")
    )
    out.append(
        f'<text x="10" y="{height - 10}" fill="{"#c92a2a" if missing else "#333"}">'
        f"{escape(footer)}</text></svg>"
    )
    return "\n".join(out)
