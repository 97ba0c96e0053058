"""Pictures every capability draws on: the world's country outlines (world-atlas, from npm)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

ATLAS = Path(__file__).resolve().parents[2] / "node_modules" / "world-atlas" / "countries-110m.json"


@lru_cache(maxsize=1)
def world_paths(atlas: str = str(ATLAS)) -> dict[str, tuple[str, tuple[float, float]]]:
    """ISO numeric code -> (SVG path in a 360x180 equirectangular frame, label point)."""
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
        parts, biggest, label = [], -1.0, (0.0, 0.0)
        for poly in polys:
            for k, r in enumerate(poly):
                pts = ring(r)
                if len(pts) < 3:
                    continue
                parts.append("M" + " L".join(f"{px:.2f},{py:.2f}" for px, py in pts) + " Z")
                if k == 0:
                    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
                    area = (max(xs) - min(xs)) * (max(ys) - min(ys))
                    if area > biggest:
                        biggest = area
                        label = ((max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2)
        out[str(geom["id"]).zfill(3)] = (" ".join(parts), label)
    return out
