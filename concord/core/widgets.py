"""Widgets of the forms: a text box that suggests names, and rows of fields."""

from __future__ import annotations

from django import forms


class SuggestInput(forms.TextInput):
    """A text box that suggests names as you type, from what you may see (the header's
    search, ``/search/suggest/``), in a native ``<datalist>``: the arrow keys pick one. Without
    JavaScript it is a plain text box, and the field still takes a name or a code.

    ``kind`` is the search's kind ("countries", "areas", "organisations", "tasks",
    "operations", "people"); ``within`` the name of the form's country field, for areas."""

    template_name = "web/suggest_input.html"

    def __init__(self, kind: str, within: str = "", attrs=None):
        super().__init__(attrs={"autocomplete": "off", **(attrs or {})})
        self.kind, self.within = kind, within

    def get_context(self, name, value, attrs):
        ctx = super().get_context(name, value, attrs)
        ctx["widget"].update(kind=self.kind, within=self.within, field=name)
        return ctx


class Column:
    """One column of a :class:`RowsWidget`: ``kind`` is an input type ("text", "date",
    "number", "checkbox"), or give ``choices`` for a list."""

    def __init__(self, label, kind="text", choices=None, placeholder="", checked_value="yes"):
        self.label, self.kind, self.choices = label, kind, choices
        self.placeholder, self.checked_value = placeholder, checked_value


class RowsWidget(forms.Widget):
    """Rows of fields, one per item (an operation's authorisations, its contributions), with
    *Add a row*; the field underneath still reads one line per row, parts separated by '|',
    so the form, an import file and the API agree. Without JavaScript two empty rows wait at
    the end (save, and two more come)."""

    template_name = "web/rows_widget.html"
    EXTRA = 2

    def __init__(self, columns: list[Column], attrs=None):
        super().__init__(attrs)
        self.columns = columns

    def format_value(self, value):
        return value or ""

    def get_context(self, name, value, attrs):
        ctx = super().get_context(name, value, attrs)
        lines = [ln for ln in (value or "").splitlines() if ln.strip()]
        rows = [[p.strip() for p in ln.split("|")] for ln in lines]
        rows += [[] for _ in range(self.EXTRA)]
        ctx["widget"]["columns"] = self.columns
        ctx["widget"]["rows"] = [
            [
                {
                    "name": f"{name}-{i}-{j}",
                    "column": c,
                    "value": row[j] if j < len(row) else "",
                }
                for j, c in enumerate(self.columns)
            ]
            for i, row in enumerate(rows)
        ]
        return ctx

    def value_from_datadict(self, data, files, name):
        if name in data:  # the lines themselves (the API's form, a test, no rows)
            return data[name]
        try:
            count = min(int(data.get(f"{name}-rows", 0)), 500)
        except ValueError:
            count = 0
        lines = []
        for i in range(count):
            cells = [(data.get(f"{name}-{i}-{j}") or "").strip() for j in range(len(self.columns))]
            if any(cells):
                lines.append(" | ".join(c.replace("|", "/") for c in cells).rstrip(" |"))
        return "\n".join(lines)

    def value_omitted_from_data(self, data, files, name):
        return name not in data and f"{name}-rows" not in data
