"""How alike two lessons or observations are, in words a reader can check.

A text is reduced to its **terms**: words folded (case and accents), the common words of
English and French dropped, each word reduced to its stem by the Snowball stemmer of its
language ("rehatted" and "rehatting" are one term, "contingents" and "contingent" too).
Two texts are alike by the terms they share (the cosine of their sets of terms, each term
weighted by how rare it is among the texts compared, where they are known: a word every
lesson uses says nothing), and a little by how alike their titles read (rapidfuzz's
token-set ratio, which ignores word order and repeated words).

The method was chosen on the labelled set of real public lessons
(``fixtures/lessons.csv``; its precision and recall are measured by a test and reported in
docs/learning.md). What it cannot do: see that two lessons say the same thing in different
words with no stem in common ("rehatted" and "transferred"), or across languages.

Everything here is pure: plain strings and numbers in, scores and words out.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import snowballstemmer
from rapidfuzz import fuzz

from concord.core.text import fold

# The common words of English and French (articles, pronouns, auxiliaries, prepositions),
# folded: they carry no subject.
STOP = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers him his how i if in into is it its
    itself just me more most my no nor not now of off on once only or other our out over own
    same she should so some such than that the their them then there these they this those
    through to too under until up very was we were what when where which while who whom why
    will with would you your yet via per within without must may might shall upon
    au aux avec ce ces cet cette dans de des du elle en et eux il ils je la le les leur
    leurs lui ma mais me meme mes moi mon ne nos notre nous on ou par pas pour qu que qui sa
    se ses son sur ta te tes toi ton tu un une vos votre vous est sont ete etre avoir ont
    a ai aussi comme dont donc entre fait faire lors mais ni plus sans selon sous tout tous
    toute toutes tres y ne pas d l n s c j qu
    """.split()
)
# Words every report on peace operations uses: they would make any two lessons alike.
# (Folded, before stemming; kept short on purpose: the weights below do the rest.)
GENERIC = frozenset(
    """mission missions operation operations peace peacekeeping lesson lessons learned
    recommendation recommendations report should need needs needed un united nations
    """.split()
)
_FRENCH = frozenset(
    "le la les des du une et est dans pour par sur aux avec qui que pas ont ete sont".split()
)
_ENGLISH = frozenset("the of and to in is for on with that was were are by from as".split())

MIN_SHARED = 2  # two texts sharing fewer terms are never alike
THRESHOLD = 0.12  # alike at or above (the best F1 of the clusters on the labelled set)


def language(words: list[str]) -> str:
    """'fr' or 'en', by which language's commonest words the text uses more."""
    fr = sum(w in _FRENCH for w in words)
    en = sum(w in _ENGLISH for w in words)
    return "fr" if fr > en else "en"


_STEMMERS = {"en": snowballstemmer.stemmer("english"), "fr": snowballstemmer.stemmer("french")}


@lru_cache(maxsize=200_000)
def stem(word: str, lang: str = "en") -> str:
    return _STEMMERS[lang].stemWord(word)


def terms_and_words(*texts: str) -> dict[str, str]:
    """{term: the first word of the texts that gave it}, in the order they come."""
    raw = " ".join(t for t in texts if t)
    words = [w for w in fold(raw).split()]
    lang = language(words)
    found: dict[str, str] = {}
    for w in words:
        if len(w) < 3 or w in STOP or w in GENERIC or w.isdigit():
            continue
        found.setdefault(stem(w, lang), w)
    return found


def terms(*texts: str) -> list[str]:
    """The sorted terms of some texts (what is stored to find alike records)."""
    return sorted(terms_and_words(*texts))


def idf(documents: Iterable[Iterable[str]]) -> dict[str, float]:
    """How rare each term is among ``documents`` (each an iterable of its terms)."""
    df: Counter = Counter()
    n = 0
    for doc in documents:
        n += 1
        df.update(set(doc))
    return {t: math.log((n + 1) / (c + 0.5)) for t, c in df.items()}


def _weight(term: str, weights: Mapping[str, float] | None) -> float:
    if weights is None:
        return 1.0
    return weights.get(term, 1.0)


def term_score(a: set[str], b: set[str], weights: Mapping[str, float] | None = None) -> float:
    """Cosine of two sets of terms, each term weighted (squared) by its rarity: 0 (nothing
    shared) to 1 (the same terms)."""
    shared = a & b
    if len(shared) < MIN_SHARED:
        return 0.0
    if weights is None:
        return count_score(len(shared), len(a), len(b))
    norm = math.sqrt(
        sum(_weight(t, weights) ** 2 for t in a) * sum(_weight(t, weights) ** 2 for t in b)
    )
    return sum(_weight(t, weights) ** 2 for t in shared) / norm if norm else 0.0


def count_score(shared: int, a: int, b: int) -> float:
    """``term_score`` unweighted, from counts alone: ``shared`` terms of ``a`` and ``b``."""
    if shared < MIN_SHARED or not a or not b:
        return 0.0
    return shared / math.sqrt(a * b)


def title_score(a: str, b: str) -> float:
    return fuzz.token_set_ratio(fold(a), fold(b)) / 100


def score(
    a_terms: set[str],
    b_terms: set[str],
    a_title: str,
    b_title: str,
    weights: Mapping[str, float] | None = None,
) -> float:
    """How alike two records are, 0 to 1: mostly the terms they share, a little their
    titles (the weights chosen on the labelled set: see docs/learning.md)."""
    return combined(term_score(a_terms, b_terms, weights), a_title, b_title)


def combined(words: float, a_title: str, b_title: str) -> float:
    """``score`` from its terms' part (``term_score``, ``count_score``) and the titles."""
    if words == 0.0:
        return 0.0
    return round(0.85 * words + 0.15 * title_score(a_title, b_title), 3)


@dataclass
class Item:
    """One lesson (or observation) as the clustering reads it."""

    id: int
    title: str
    terms: frozenset[str]
    year: int | None = None
    institution: str = ""
    theme: str = ""


@dataclass
class Cluster:
    """Lessons that say the same thing: how often it was learned, when and by whom."""

    items: list[Item] = field(default_factory=list)

    @property
    def recurrence(self) -> int:
        return len(self.items)

    @property
    def years(self) -> list[int]:
        return sorted({i.year for i in self.items if i.year})

    @property
    def institutions(self) -> list[str]:
        return sorted({i.institution for i in self.items if i.institution})

    @property
    def theme(self) -> str:
        """The theme most of its lessons carry (ties: the first in alphabetical order)."""
        counts = Counter(i.theme for i in self.items if i.theme)
        if not counts:
            return ""
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]


def pairs(
    items: list[Item], threshold: float = THRESHOLD, weights: Mapping[str, float] | None = None
) -> list[tuple[int, int, float]]:
    """Every pair of items at least ``threshold`` alike, as (id, id, score).

    Only pairs that share a term are scored (an inverted index of the terms); a term found
    in more than one item in fifty (and more than 100) is not used to find candidates (it
    still counts in the score): without that the work grows with the square of the number
    of items."""
    if weights is None:
        weights = idf(i.terms for i in items)
    postings: dict[str, list[int]] = defaultdict(list)
    for n, item in enumerate(items):
        for t in item.terms:
            postings[t].append(n)
    too_common = max(100, len(items) // 50)
    # what ``score`` computes, with each item's part worked out once: the sum of its
    # squared weights and its folded title
    w2 = {t: _weight(t, weights) ** 2 for t in postings}
    norms = [sum(w2[t] for t in item.terms) for item in items]
    titles = [fold(item.title) for item in items]
    found = []
    for n, item in enumerate(items):
        shared: Counter = Counter()
        for t in item.terms:
            posting = postings[t]
            if len(posting) > too_common:
                continue
            for m in posting:
                if m > n:
                    shared[m] += 1
        for m, count in shared.items():
            if count < MIN_SHARED:
                continue
            both = item.terms & items[m].terms
            if len(both) < MIN_SHARED or not norms[n] or not norms[m]:
                continue
            words = sum(w2[t] for t in both) / math.sqrt(norms[n] * norms[m])
            title = fuzz.token_set_ratio(titles[n], titles[m]) / 100
            s = round(0.85 * words + 0.15 * title, 3)
            if s >= threshold:
                found.append((item.id, items[m].id, s))
    return found


def clusters(
    items: list[Item], threshold: float = THRESHOLD, weights: Mapping[str, float] | None = None
) -> list[Cluster]:
    """Items grouped by what they say, largest first; an item alike to none is a cluster of
    one. Average linkage over the alike pairs: pairs at least ``threshold`` alike are taken
    from the most alike down, and two groups join only if, on average, their members stay
    ``threshold`` alike (a pair less than half as alike counts 0). Joining on any one pair
    instead (single linkage) chains everything into one group: on the labelled set, 66 of
    73 lessons."""
    if weights is None:
        weights = idf(i.terms for i in items)
    found = pairs(items, threshold / 2, weights)  # what the averages read
    # link[g][h]: the sum of the scores between the members of groups g and h, kept up to
    # date as groups join (so a join costs the number of groups either is linked to)
    link: dict[int, dict[int, float]] = defaultdict(dict)
    for a, b, s in found:
        link[a][b] = link[b][a] = s
    members = {i.id: [i.id] for i in items}
    group = {i.id: i.id for i in items}
    for a, b, s in sorted(found, key=lambda t: (-t[2], t[0], t[1])):
        if s < threshold:
            break
        ga, gb = group[a], group[b]
        if ga == gb:
            continue
        if link[ga].get(gb, 0.0) / (len(members[ga]) * len(members[gb])) < threshold:
            continue
        keep, gone = min(ga, gb), max(ga, gb)
        for other, total in link.pop(gone).items():
            del link[other][gone]
            if other != keep:
                link[keep][other] = link[other][keep] = link[keep].get(other, 0.0) + total
        moved = members.pop(gone)
        members[keep] += moved
        for x in moved:
            group[x] = keep
    by_id = {i.id: i for i in items}
    grouped = [Cluster(items=[by_id[x] for x in sorted(ids)]) for ids in members.values()]
    return sorted(grouped, key=lambda c: (-c.recurrence, c.items[0].id))


def precision_recall(
    predicted: set[frozenset[int]], truth: set[frozenset[int]]
) -> tuple[float, float]:
    """Of the pairs said alike, the share truly alike; of the pairs truly alike, the share
    found."""
    hit = len(predicted & truth)
    precision = hit / len(predicted) if predicted else 1.0
    recall = hit / len(truth) if truth else 1.0
    return precision, recall
