"""The test world's building blocks. Each capability's ``fixtures/testworld.py`` (named as
``test_world`` in its capability.py) gives:

- ``hidden(w)``: its records nobody may see (strictly confidential, owner only, named to
  nobody), put in ``w.hidden`` by marker letter, which its samples link to (so that a page
  leaking a linked record's name is caught);
- ``SAMPLES``: one :class:`Sample` per scoped model: how the world makes one record of it at
  a classification and releasability. The access matrix walks every route with a record of
  every model at every level, as every kind of user; a scoped model without a sample fails
  ``test_every_scoped_model_has_a_sample`` (tests/test_access_matrix.py).

The world (tests/conftest.py ``build_world``) calls every capability's ``hidden`` first, in
the order of INSTALLED_APPS, then, for every level, every capability's samples in order, so a
sample may link to what an earlier sample made at the same level (``level.made``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .models import Classification, Country, Releasability

CLASSIFICATIONS = list(Classification)
RELEASABILITIES = list(Releasability)


def marker(model_letter: str, c: int, r: str) -> str:
    """A token found in one record's name and nowhere else (none is a prefix of another)."""
    return f"MRK{model_letter}{c}{r[:3].upper()}Z"  # untranslated: test marker


def past_marker(model_letter: str, c: int, r: str) -> str:
    """A marker for what a record said while it was strictly confidential and named to
    nobody (P + two letters: never one of ``marker``'s)."""
    return f"MRK{model_letter}{c}P{r[:2].upper()}Z"  # untranslated: test marker


def country(alpha3: str = "MLI", name: str = "Mali") -> Country:
    return Country.objects.get_or_create(
        alpha3=alpha3, defaults={"name": name, "alpha2": alpha3[:2]}
    )[0]


def hidden_fields(w) -> dict:
    """What every hidden record is: strictly confidential, its owner's only, named to nobody."""
    return {
        "classification": Classification.STRICTLY_CONFIDENTIAL,
        "releasability": Releasability.OWNER,
        "owner": w.own,
    }


@dataclass
class Level:
    """One classification × releasability of the world, and what was made at it so far."""

    c: int
    r: str
    owner: object
    made: dict = field(default_factory=dict)
    suffix: str = ""  # a second set of records at the same level (tests that delete one)

    def mark(self, letter: str) -> str:
        return marker(letter, self.c, self.r) + self.suffix

    @property
    def fields(self) -> dict:
        return {"classification": self.c, "releasability": self.r, "owner": self.owner}


@dataclass(frozen=True)
class Made:
    """A sample's record before it is saved, with its links and child rows."""

    obj: object
    m2m: dict = field(default_factory=dict)
    children: Callable | None = None


@dataclass(frozen=True)
class Sample:
    """How the world makes a record of ``model``: ``make(w, level) -> Made`` (its marker,
    ``level.mark(letter)``, in a text field), then ``after(w, level, saved)`` if given.
    ``past_field``: where the record's past marker goes when the marked field may not change.
    ``change_role``: the least role that may change it (shared reference: managers).
    ``delete_refusal``: where a rule beyond roles refuses even the owner's manager a
    deletion, words of its refusal (tests/test_generated_access.py checks them)."""

    model: type
    letter: str
    make: Callable
    after: Callable | None = None
    past_field: str | None = None
    change_role: str = "editor"
    delete_refusal: str = ""
