"""Text folded for matching, the one way Concord compares words: pure Python (no Django),
shared by the search index, the registry's name keys and learning's similarity."""

from __future__ import annotations

import re
import unicodedata

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def fold(value) -> str:
    """'Jean-Baptiste Koné' -> 'jean baptiste kone': accents and case folded, whatever is
    not a letter or a digit one space."""
    text = str(value or "")
    if text.isascii():  # most texts: the same result, several times as fast
        return _NOT_ALNUM.sub(" ", text.lower()).strip()
    decomposed = unicodedata.normalize("NFKD", text)
    letters = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join("".join(c if c.isalnum() else " " for c in letters).split())


def compact(value) -> str:
    """One word: 'ML-6' -> 'ml6', 'U.A.' -> 'ua'."""
    return fold(value).replace(" ", "")
