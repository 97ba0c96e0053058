"""Sources: the citations a record rests on (fact · citation · link), kept by every
capability in a JSON list and written in files and forms as ``fact | citation | url`` items
separated by ``;``."""

from __future__ import annotations

from .importers import SEP, RowError, _split


def sources_problem(sources) -> str | None:
    if not isinstance(sources, list):
        return "Sources must be a list."
    for i, s in enumerate(sources, start=1):
        if not isinstance(s, dict) or not (s.get("citation") or s.get("url")):
            return f"Source {i} needs a citation or a link."
        url = s.get("url") or ""
        if url and not url.startswith(("http://", "https://")):
            return f"Source {i}: the link must start with http:// or https://."
    return None


def parts(item: str, n: int) -> list[str]:
    return ([p.strip() for p in item.split("|")] + [""] * n)[:n]


def format_sources(sources) -> str:
    return f"{SEP} ".join(
        " | ".join([s.get("fact", ""), s.get("citation", ""), s.get("url", "")]).rstrip(" |")
        for s in sources or []
    )


def parse_sources(value: str, column: str = "sources") -> list[dict]:
    out = []
    for item in _split(value):
        fact, citation, url = parts(item, 3)
        if citation.startswith(("http://", "https://")) and not url:
            citation, url = "", citation
        if not citation and not url:
            raise RowError(column, f"{item!r}: write 'fact | citation | url'")
        out.append({k: v for k, v in (("fact", fact), ("citation", citation), ("url", url)) if v})
    return out
