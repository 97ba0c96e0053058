"""Sources: the citations a record rests on (fact · citation · link), kept by every
capability in a JSON list and written in files and forms as ``fact | citation | url`` items
separated by ``;``."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .importers import SEP, RowError, _split


def sources_problem(sources) -> str | None:
    if not isinstance(sources, list):
        return _("Sources must be a list.")
    for i, s in enumerate(sources, start=1):
        if not isinstance(s, dict) or not (s.get("citation") or s.get("url")):
            return _("Source %(number)s needs a citation or a link.") % {"number": i}
        url = s.get("url") or ""
        if url and not url.startswith(("http://", "https://")):
            return _("Source %(number)s: the link must start with http:// or https://.") % {
                "number": i
            }
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
            raise RowError(column, _("%(item)r: write 'fact | citation | url'") % {"item": item})
        out.append({k: v for k, v in (("fact", fact), ("citation", citation), ("url", url)) if v})
    return out
