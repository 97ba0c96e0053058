"""Finding text that reaches people but is not marked for translation (docs/translating.md).

Two readers, used by the suite (tests/test_translations.py) and by ``make messages-check``:

- ``unmarked_in_template(text)``: words in a template's text and in the attributes people read
  (title, placeholder, aria-label, alt, a button's value) outside ``{% translate %}`` and
  ``{% blocktranslate %}``;
- ``unmarked_in_python(source)``: the messages of the Python code: a choice's label, a form or
  model field's label and help text, a validation or import error, a flash message, and any
  other literal that reads as prose (two words or more) outside a docstring, a log call, an
  internal error, the command line and a dictionary key.

Both return (line, text) pairs; an empty list means every string is marked. A literal that
is not prose (a field name, a code, a URL, a CSS class) is not reported.
"""

from __future__ import annotations

import ast
import re
from html.parser import HTMLParser

# Words that read the same in every language the interface is written for: names and
# formats. Anything else in a template must be marked.
SAME_IN_EVERY_LANGUAGE = {
    "Concord",
    "OpenAPI",
    "API",
    "CSV",
    "XLSX",
    "JSON",
    "HXL",
    "ISO",
    "UTC",
    "PDF",
    "SVG",
    "ICS",
    "URL",
    "HTTP",
    "HTTPS",
    "SHA",
    "HMAC",
    "OK",
}
WORD = re.compile(r"[^\W\d_]{2,}")
READ_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "aria-description"}

_NOT_TEXT = [
    re.compile(r"\{#.*?#\}", re.S),
    re.compile(r"\{%\s*comment\b.*?%\}.*?\{%\s*endcomment\s*%\}", re.S),
    re.compile(r"\{%\s*blocktrans(?:late)?\b.*?%\}.*?\{%\s*endblocktrans(?:late)?\s*%\}", re.S),
    # a block that names CSS classes (base.html's main_class), not text
    re.compile(r"\{%\s*block main_class\s*%\}.*?\{%\s*endblock\s*%\}", re.S),
    re.compile(r"<script\b.*?</script>", re.S | re.I),
    re.compile(r"<style\b.*?</style>", re.S | re.I),
    re.compile(r"<svg\b.*?</svg>", re.S | re.I),
    re.compile(r"\{%.*?%\}", re.S),
    re.compile(r"\{\{.*?\}\}", re.S),
]


def _words(text: str) -> list[str]:
    return [w for w in WORD.findall(text) if w not in SAME_IN_EVERY_LANGUAGE]


def _blank(match: re.Match) -> str:
    # Keep the line count, so that a report names the right line.
    return " " + "\n" * match.group(0).count("\n")


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []

    def _check(self, text: str) -> None:
        if _words(text):
            self.found.append((self.getpos()[0], " ".join(text.split())[:80]))

    def handle_data(self, data):
        self._check(data)

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        for name, value in attrs:
            if value and name in READ_ATTRIBUTES:
                self._check(value)
        if tag == "input" and values.get("type") in {"submit", "button"} and values.get("value"):
            self._check(values["value"])


# A filter's argument that is shown: {{ x|default:"(restricted)" }}.
_SHOWN_ARGUMENT = re.compile(r"\|(?:default|default_if_none|yesno):(\"[^\"]*\"|'[^']*')")


def _shown_arguments(text: str) -> list[tuple[int, str]]:
    found = []
    for tag in re.finditer(r"\{\{.*?\}\}", text, re.S):
        for argument in _SHOWN_ARGUMENT.finditer(tag.group(0)):
            if _words(argument.group(1)):
                line = text.count("\n", 0, tag.start()) + 1
                found.append((line, argument.group(1).strip("\"'")))
    return found


def unmarked_in_template(text: str, *, html: bool = True) -> list[tuple[int, str]]:
    shown = _shown_arguments(text)
    for pattern in _NOT_TEXT:
        text = pattern.sub(_blank, text)
    if not html:
        return shown + [
            (n, line.strip()[:80]) for n, line in enumerate(text.splitlines(), 1) if _words(line)
        ]
    reader = _Reader()
    reader.feed(text)
    reader.close()
    return sorted(shown + reader.found)


# --- Python ---------------------------------------------------------------------------------

MARKERS = {
    "_",
    "gettext",
    "gettext_lazy",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
}
# Calls whose string arguments are not read by people of the interface: logs, internal
# errors (a bug, not a message), the command line's own output, SQL, formats, look-ups.
NOT_FOR_PEOPLE = {
    "debug",
    "info",
    "warning",
    "exception",
    "critical",
    "log",
    "ValueError",
    "TypeError",
    "RuntimeError",
    "AssertionError",
    "KeyError",
    "NotImplementedError",
    "ImproperlyConfigured",
    "CommandError",
    "add_argument",
    "add_parser",
    "add_mutually_exclusive_group",
    "ArgumentParser",
    "write",
    "echo",
    "print",
    "RawSQL",
    "execute",
    "extra",
    "strftime",
    "strptime",
    "compile",
    "match",
    "search",
    "fullmatch",
    "sub",
    "split",
    "get",
    "getenv",
    "startswith",
    "endswith",
    "replace",
    "join",
    "format",
    "Index",
    "UniqueConstraint",
    "CheckConstraint",
    "RunSQL",
    "deprecated",
    "warn",
    "require_setting",
}
# Keywords whose value people read.
READ_KEYWORDS = {
    "label",
    "help_text",
    "verbose_name",
    "verbose_name_plural",
    "empty_label",
    "message",
    "title",
    "explanation",
    "summary",
    "reason",
    "description",
}
PROSE = re.compile(r"[^\W\d_]{2,}[,;:'’]*\s+[^\W\d_]")
# Calls whose message people read, however short ("Saved."): the first argument (the
# second for add_error and for django.contrib.messages' functions, after the request).
MESSAGE_CALLS = {"ValidationError": 0, "RowError": 1, "CellError": 2, "add_error": 1}
FLASH = {"debug", "info", "success", "warning", "error"}


def _is_marker(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
    return name in MARKERS


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _text_of(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            part.value if isinstance(part, ast.Constant) else " x " for part in node.values
        )
    return None


def _reads_as_prose(text: str) -> bool:
    if re.fullmatch(r"\S*://\S*", text.strip()) or any(m in text for m in ("/<", "filename=")):
        return False
    if text.strip().startswith(("<", "{", "/", "%(", "SELECT", "select")):
        return False
    return bool(PROSE.search(text))


class _PythonReader(ast.NodeVisitor):
    def __init__(self):
        self.found: list[tuple[int, str]] = []
        self._skip: set[int] = set()

    def _report(self, node: ast.AST, text: str) -> None:
        if id(node) not in self._skip:
            self._skip.add(id(node))
            self.found.append((node.lineno, " ".join(text.split())[:80]))

    def _exempt(self, node: ast.AST) -> None:
        for child in ast.walk(node):
            self._skip.add(id(child))

    # Docstrings, marked strings and what is not for people are exempt.
    def _docstring(self, body: list[ast.stmt]) -> None:
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            self._exempt(body[0])

    def visit_Module(self, node):
        self._docstring(node.body)
        self.generic_visit(node)

    def visit_FunctionDef(self, node):
        self._docstring(node.body)
        self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node):
        self._docstring(node.body)
        if any(getattr(b, "attr", getattr(b, "id", "")).endswith("Choices") for b in node.bases):
            for stmt in node.body:
                if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Constant):
                    if isinstance(stmt.value.value, str) and not stmt.targets[0].id.startswith("_"):
                        self._report(stmt, f"choice {stmt.targets[0].id} has no label")
                if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Tuple):
                    label = stmt.value.elts[-1]
                    if _text_of(label) is not None:
                        self._report(label, _text_of(label))
                    self._exempt(stmt.value.elts[0])
        self.generic_visit(node)

    def visit_Call(self, node):
        name = _call_name(node)
        flash = (
            name in FLASH
            and isinstance(node.func, ast.Attribute)
            and getattr(node.func.value, "id", "") == "messages"
        )
        position = 1 if flash else MESSAGE_CALLS.get(name)
        if position is not None and len(node.args) > position:
            text = _text_of(node.args[position])
            if text and WORD.search(text):
                self._report(node.args[position], text)
        if flash:
            self.generic_visit(node)
            return
        if _is_marker(node) or name in NOT_FOR_PEOPLE:
            self._exempt(node)
            return
        for keyword in node.keywords:
            text = _text_of(keyword.value)
            if keyword.arg in READ_KEYWORDS and text and WORD.search(text):
                self._report(keyword.value, text)
        self.generic_visit(node)

    def visit_Dict(self, node):
        for key in node.keys:
            if key is not None:
                self._exempt(key)
        self.generic_visit(node)

    def visit_Subscript(self, node):
        self._exempt(node.slice)
        self.generic_visit(node)

    def visit_Compare(self, node):
        self._exempt(node)  # a comparison with a literal is a test of a value, not a message

    def visit_Constant(self, node):
        if isinstance(node.value, str) and _reads_as_prose(node.value):
            self._report(node, node.value)

    def visit_JoinedStr(self, node):
        text = _text_of(node)
        if text and id(node) not in self._skip and _reads_as_prose(text):
            self._report(node, text)
        self._exempt(node)


def unmarked_in_python(source: str) -> list[tuple[int, str]]:
    """A line that says ``# untranslated: <why>`` is not reported (text that is not for
    people of the interface: a code, a machine format, a name)."""
    reader = _PythonReader()
    reader.visit(ast.parse(source))
    lines = source.splitlines()
    return sorted((n, text) for n, text in reader.found if "# untranslated" not in lines[n - 1])


# Where the readers look: every template, and the Python of every capability except what
# only the command line, the migrations and the demo data say.
PYTHON_NOT_READ = {"migrations", "management", "synthetic", "formats", "fixtures"}
PYTHON_FILES_NOT_READ = {"settings.py", "cli.py", "serving.py", "messages.py", "wsgi.py"}


def unmarked(root) -> dict[str, list[tuple[int, str]]]:
    """Every unmarked string under ``root`` (the ``concord`` package), by file."""
    found = {}
    for path in sorted(root.rglob("*")):
        if path.suffix in (".html", ".txt") and "templates" in path.parts:
            hits = unmarked_in_template(path.read_text(), html=path.suffix == ".html")
        elif (
            path.suffix == ".py"
            and not PYTHON_NOT_READ & set(path.parts)
            and path.name not in PYTHON_FILES_NOT_READ
        ):
            hits = unmarked_in_python(path.read_text())
        else:
            continue
        if hits:
            found[str(path.relative_to(root.parent))] = hits
    return found
