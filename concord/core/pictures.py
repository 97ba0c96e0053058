"""Pictures every capability draws on: the world's country outlines (world-atlas, from npm).

Coordinates are in a 360 x 180 equirectangular frame (x = longitude + 180, y = 90 - latitude).
A ring crossing the antimeridian (Russia's Chukotka, Fiji) is unwrapped into one continuous
ring, which may stick out of the frame on one side, and drawn a second time shifted by 360 so
its other half shows on the other side (the picture's frame clips both): drawn as stored, its
edges would run across the whole map.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ATLAS = Path(__file__).resolve().parents[2] / "node_modules" / "world-atlas" / "countries-110m.json"

Point = tuple[float, float]


@dataclass(frozen=True)
class Outline:
    rings: tuple[tuple[Point, ...], ...]  # every ring as drawn (copies included), in the frame
    outer: tuple[tuple[Point, ...], ...]  # each polygon's outer ring, unwrapped, as stored
    label: Point  # inside the largest polygon, on its widest horizontal span
    span: tuple[float, float, float]  # that span: (x from, x to, y)


def _unwrap(pts: list[Point]) -> list[Point]:
    out: list[Point] = []
    shift = 0.0
    for i, (x, y) in enumerate(pts):
        if i:
            jump = x + shift - out[-1][0]
            if jump > 180:
                shift -= 360
            elif jump < -180:
                shift += 360
        out.append((x + shift, y))
    return out


def _copies(ring: list[Point]) -> list[list[Point]]:
    xs = [p[0] for p in ring]
    copies = [ring]
    if min(xs) < 0:
        copies.append([(x + 360, y) for x, y in ring])
    if max(xs) > 360:
        copies.append([(x - 360, y) for x, y in ring])
    return copies


def crossings(ring, y: float) -> list[float]:
    """Where the horizontal line at ``y`` crosses the ring's edges, sorted."""
    xs = []
    n = len(ring)
    for i in range(n):
        (x1, y1), (x2, y2) = ring[i], ring[(i + 1) % n]
        if (y1 > y) != (y2 > y):
            xs.append(x1 + (y - y1) * (x2 - x1) / (y2 - y1))
    return sorted(xs)


def widest_span(ring) -> tuple[float, float, float]:
    """The widest stretch of a horizontal line inside the ring, among 24 lines across it: a
    label or a dot at its middle is inside the country (its bounding box's centre may not be:
    think of Croatia, Chile or Norway)."""
    ys = [p[1] for p in ring]
    y0, y1 = min(ys), max(ys)
    best = (ring[0][0], ring[0][0], ring[0][1])
    for k in range(1, 24):
        y = y0 + (y1 - y0) * k / 24
        xs = crossings(ring, y)
        for a, b in zip(xs[::2], xs[1::2], strict=False):
            if b - a > best[1] - best[0]:
                best = (a, b, y)
    return best


def inside(ring, point: Point) -> bool:
    """Even-odd rule: is ``point`` inside the ring?"""
    x, y = point
    return sum(1 for cx in crossings(ring, y) if cx > x) % 2 == 1


@lru_cache(maxsize=1)
def outlines(atlas: str = str(ATLAS)) -> dict[str, Outline]:
    """ISO numeric code -> the country's outline."""
    topo = json.loads(Path(atlas).read_text(encoding="utf-8"))
    sx, sy = topo["transform"]["scale"]
    tx, ty = topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x += dx
            y += dy
            pts.append((x * sx + tx + 180, 90 - (y * sy + ty)))
        arcs.append(pts)

    def ring(indices):
        pts = []
        for i in indices:
            seg = arcs[i] if i >= 0 else list(reversed(arcs[~i]))
            pts.extend(seg if not pts else seg[1:])
        return pts

    out = {}
    for geom in topo["objects"]["countries"]["geometries"]:
        if "id" not in geom or geom.get("type") not in ("Polygon", "MultiPolygon"):
            continue
        polys = [geom["arcs"]] if geom["type"] == "Polygon" else geom["arcs"]
        drawn, outer, best = [], [], None
        for poly in polys:
            for k, r in enumerate(poly):
                pts = _unwrap(ring(r))
                if len(pts) < 3:
                    continue
                drawn.extend(_copies(pts))
                if k == 0:
                    outer.append(tuple(pts))
                    span = widest_span(pts)
                    if best is None or span[1] - span[0] > best[1] - best[0]:
                        best = span
        if best is None:
            continue
        mid = ((best[0] + best[1]) / 2 % 360, best[2])
        out[str(geom["id"]).zfill(3)] = Outline(
            rings=tuple(tuple(r) for r in drawn), outer=tuple(outer), label=mid, span=best
        )
    return out


@lru_cache(maxsize=1)
def world_paths(atlas: str = str(ATLAS)) -> dict[str, tuple[str, Point]]:
    """ISO numeric code -> (SVG path in the 360x180 frame, label point inside the country)."""
    return {
        code: (
            " ".join("M" + " L".join(f"{x:.2f},{y:.2f}" for x, y in r) + " Z" for r in o.rings),
            o.label,
        )
        for code, o in outlines(atlas).items()
    }


def dot_points(code: str, n: int, spacing: float = 2.7) -> list[Point]:
    """Where to draw ``n`` dots for one country, in the frame: side by side along its widest
    span, closer together (down to overlapping) where the country is narrow, so that every
    dot's centre is inside the country."""
    o = outlines().get(code)
    if o is None or n < 1:
        return []
    a, b, y = o.span
    step = min(spacing, (b - a) / (n + 1))
    mid = (a + b) / 2
    return [((mid + (i - (n - 1) / 2) * step) % 360, y) for i in range(n)]
