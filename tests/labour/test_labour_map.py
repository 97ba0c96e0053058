"""The 4W map (issue 17): labels that do not overlap; regions placed from their seats."""

from __future__ import annotations

import pycountry
import pytest

from concord.core import pictures as world
from concord.core.places import seat_point, seats
from concord.labour.pictures import _box, _overlap, place_labels


def test_labels_of_dots_close_together_do_not_overlap():
    # Mali's regions as drawn at 900 px: Mopti, Ségou, Koulikoro, Bamako within a few pixels
    dots = [(400, 300), (420, 305), (380, 310), (405, 290), (600, 100)]
    items = [
        (x, y, name)
        for (x, y), name in zip(
            dots, ["Mopti", "Ségou", "Koulikoro", "Bamako", "Kidal"], strict=True
        )
    ]
    placed = place_labels(items, dots, 900, 600)
    boxes = [
        _box(x, y, anchor, text) for (x, y, anchor), (_, _, text) in zip(placed, items, strict=True)
    ]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert _overlap(a, b) == 0, (a, b)
    assert placed[4] == (600 + 15, 104, "start")  # alone: to the right of its dot


def _inside(alpha2: str, lat: float, lon: float) -> bool:
    numeric = pycountry.countries.get(alpha_2=alpha2).numeric
    outline = world.outlines()[numeric]
    return any(world.inside(r, (lon + 180, 90 - lat)) for r in outline.outer)


def test_every_seat_is_a_known_region_inside_its_country_with_a_source():
    rows = seats()
    assert {s.iso_code[:2] for s in rows} == {"AF", "ML"}
    for s in rows:
        assert pycountry.subdivisions.get(code=s.iso_code) is not None, s.iso_code
        assert s.source.startswith("https://"), s.iso_code
        assert _inside(s.iso_code[:2], s.latitude, s.longitude), s  # not a swapped sign
    # every province and region of both countries has its row
    for alpha2 in ("AF", "ML"):
        regions = {
            r.code for r in pycountry.subdivisions.get(country_code=alpha2) if r.parent_code is None
        }
        assert regions == {s.iso_code for s in rows if s.iso_code.startswith(alpha2)}


@pytest.mark.parametrize(
    "alpha2, name, pcode, seat",
    [
        ("AF", "Hilmand", "AF30", "AF-HEL"),  # OCHA's spelling and P-code
        ("AF", "Maidan Wardak", "", "AF-WAR"),
        ("AF", "Sar-e-Pul", "", "AF-SAR"),
        ("ML", "Tombouctou", "", "ML-6"),
        ("ML", "SEGOU", "", "ML-4"),
    ],
)
def test_a_region_imported_from_a_3w_finds_its_seat(alpha2, name, pcode, seat):
    row = next(s for s in seats() if s.iso_code == seat)
    assert seat_point(alpha2, name, pcode) == (row.latitude, row.longitude)
    assert seat_point("AF", "Atlantis") is None
