"""Points for regions that have none of their own (ISO 3166-2 subdivisions come without
coordinates): the seat of each region, in the project's reference data
(``fixtures/admin1_points.csv``: one row per region, its OCHA admin-1 P-code where known,
and the source of its coordinates).

Why seats and not centroids: a seat is a public fact with a citation per row (its
coordinates on the seat's page), lies inside its region by definition (a centroid need not:
think of a crescent-shaped region), and is where the region's offices are. Afghanistan's 34
provinces and Mali's 11 regions and district are written so far: the countries whose 4W maps
were blank; another country's regions are placed once its rows are added."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .models.registry import normalise_name

POINTS = Path(__file__).resolve().parent / "fixtures" / "admin1_points.csv"


@dataclass(frozen=True)
class Seat:
    iso_code: str
    ocha_pcode: str
    name: str
    seat: str
    latitude: float
    longitude: float
    source: str


@lru_cache(maxsize=1)
def seats() -> tuple[Seat, ...]:
    with POINTS.open(encoding="utf-8", newline="") as f:
        return tuple(
            Seat(
                iso_code=r["iso_code"],
                ocha_pcode=r["ocha_pcode"],
                name=r["name"],
                seat=r["seat"],
                latitude=float(r["latitude"]),
                longitude=float(r["longitude"]),
                source=r["source"],
            )
            for r in csv.DictReader(f)
        )


def seat_point(country_alpha2: str, name: str, pcode: str = "") -> tuple[float, float] | None:
    """The point of a region known by its OCHA P-code or its name in any usual spelling
    (matched as the 3W import matches names: case, accents and punctuation aside), for a
    region created by a 3W import rather than from ISO 3166-2."""
    for s in seats():
        if pcode and s.ocha_pcode == pcode:
            return (s.latitude, s.longitude)
    key = normalise_name(name)
    for s in seats():
        if s.iso_code.startswith(country_alpha2 + "-") and key in (
            normalise_name(s.name),
            normalise_name(s.seat),
        ):
            return (s.latitude, s.longitude)
    return None
