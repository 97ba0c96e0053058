"""The world map (issue 17): no band across the map where a country crosses the antimeridian,
and every operation's dot inside its host country, for the whole catalogue."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pycountry
import pytest

from concord.core import pictures
from concord.operations.pictures import Pin, map_svg

CATALOGUE = Path(__file__).resolve().parents[2] / "concord/operations/fixtures/operations.csv"


def numeric(alpha3: str) -> str | None:
    country = pycountry.countries.get(alpha_3=alpha3)
    return country.numeric if country else None


def test_no_edge_runs_across_the_map():
    """Russia and Fiji cross the antimeridian: drawn as stored, one edge would run from one
    side of the map to the other (the bands at 66°N and 17°S)."""
    for code, outline in pictures.outlines().items():
        for ring in outline.rings:
            for (x1, _), (x2, _) in zip(ring, ring[1:], strict=False):
                assert abs(x2 - x1) < 90, f"{code}: an edge from x={x1:.1f} to x={x2:.1f}"
    russia, fiji = pictures.outlines()["643"], pictures.outlines()["242"]
    # both halves are drawn: one copy sticks out of the frame, the other comes back in
    assert any(min(p[0] for p in r) < 5 for r in russia.rings)
    assert any(max(p[0] for p in r) > 355 for r in fiji.rings)


def _inside_country(code: str, point) -> bool:
    x, y = point
    return any(
        pictures.inside(ring, (x + shift, y))
        for ring in pictures.outlines()[code].outer
        for shift in (0, 360, -360)
    )


def test_every_operation_dot_is_inside_its_first_host_country():
    """Every operation of the catalogue, all at once (the most dots a country can get): each
    dot's centre lies inside its first host country's outline. Countries too small for the
    110 m atlas (Comoros, Timor-Leste before… ) are named, and few."""
    rows = list(csv.DictReader(CATALOGUE.open(encoding="utf-8")))
    assert len(rows) > 250
    firsts = Counter(numeric(r["hosts"].split(";")[0]) for r in rows if r["hosts"])
    missing = sorted(str(code) for code in firsts if code not in pictures.outlines())
    checked = 0
    for code, n in firsts.items():
        if code not in pictures.outlines():
            continue
        points = pictures.dot_points(code, n)
        assert len(points) == n
        for point in points:
            assert _inside_country(code, point), f"country {code}: a dot at {point} is outside"
            checked += 1
    assert checked > 250
    assert len(missing) <= 6, f"hosts not on the 110 m map: {missing}"


def test_labels_are_inside_countries_whose_box_centre_is_not():
    for code in ("191", "152", "578", "704"):  # Croatia, Chile, Norway, Viet Nam
        assert _inside_country(code, pictures.outlines()[code].label), code


def test_the_drawn_map_places_each_operation_at_a_dot_inside_the_country():
    """The same through map_svg: the circles drawn for Mali's operations are inside Mali."""
    pins = [
        Pin(id=i, label=f"Op {i}", framework="un", scenario=None, countries=("466",), url="/")
        for i in range(12)
    ]
    svg = map_svg("test", pins, {"466": "Mali"})
    scale = 1200 / 360
    dots = re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)" r="4"', svg)
    assert len(dots) == 12
    for cx, cy in dots:
        assert _inside_country("466", (float(cx) / scale, float(cy) / scale))


@pytest.mark.parametrize("n", [1, 3, 20])
def test_a_small_country_gets_its_dots_inside_it_however_many(n):
    for code in ("422", "332", "630"):  # Lebanon, Haiti, Puerto Rico
        if code in pictures.outlines():
            for point in pictures.dot_points(code, n):
                assert _inside_country(code, point), (code, n, point)
