"""Saving unchanged keeps every link, visible or not (docs/security-model.md).

For every model with an edit form and an API detail route: an editor who may not see some of
a record's links opens the edit form and saves it as it is, or PATCHes back what GET
returned; every foreign key, many-to-many link and child row must be as it was. The records
come from the access-matrix world (tests/conftest.py:build_world), where each record links
to strictly confidential records that nobody may see."""

from __future__ import annotations

from html.parser import HTMLParser


class _FormParser(HTMLParser):
    """The fields of the page's edit form (the one ``method=post`` form with a Save button),
    as a browser would submit them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[list[tuple[str, str]]] = []
        self._fields: list[tuple[str, str]] | None = None
        self._select: tuple[str, bool] | None = None
        self._options: list[tuple[str, bool]] = []
        self._option: list | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._fields = []
        if self._fields is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._fields.append((name, a.get("value") or "on"))
            elif kind not in ("submit", "button", "file", "reset", "image"):
                self._fields.append((name, a.get("value") or ""))
        elif tag == "select" and name:
            self._select = (name, "multiple" in a)
            self._options = []
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value"), "selected" in a, ""]
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_data(self, data):
        if self._textarea is not None:
            self._text += data
        if self._option is not None:
            self._option[2] += data

    def handle_endtag(self, tag):
        if self._fields is None:
            return
        if tag == "option" and self._option is not None:
            value, selected, label = self._option
            self._options.append((label.strip() if value is None else value, selected))
            self._option = None
        elif tag == "select" and self._select is not None:
            name, multiple = self._select
            chosen = [v for v, s in self._options if s]
            if not chosen and not multiple and self._options:
                chosen = [self._options[0][0]]  # a browser submits the first option
            self._fields += [(name, v) for v in chosen]
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # The parser drops the newline that follows <textarea>, as browsers do.
            self._fields.append((self._textarea, self._text))
            self._textarea = None
        elif tag == "form":
            self.forms.append(self._fields)
            self._fields = None


def form_data(html: str) -> dict[str, list[str]]:
    """What the browser would post from the page's main edit form, unchanged."""
    parser = _FormParser()
    parser.feed(html)
    forms = [f for f in parser.forms if any(n != "csrfmiddlewaretoken" for n, _ in f)]
    assert forms, "no post form with fields on the page"
    data: dict[str, list[str]] = {}
    for name, value in max(forms, key=len):
        data.setdefault(name, []).append(value)
    return data
