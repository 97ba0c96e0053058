"""The interface in English and French (docs/translating.md): every string people read is
marked for translation, and every marked string has its French.

Per capability, so that a failure names the capability, then the file, line and text."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from concord.core.messages import unmarked, unmarked_in_python, unmarked_in_template

ROOT = Path(__file__).resolve().parent.parent
CONCORD = ROOT / "concord"
APPS = sorted(p.parent.name for p in CONCORD.glob("*/locale"))
CAPABILITIES = sorted(
    p.name for p in CONCORD.iterdir() if p.is_dir() and (p / "__init__.py").exists()
)

needs_gettext = pytest.mark.skipif(
    shutil.which("msgattrib") is None, reason="GNU gettext missing: scripts/install-gettext"
)


@functools.cache
def _unmarked():
    return unmarked(CONCORD)  # one reading of every file, for every capability's test


@pytest.mark.parametrize("capability", CAPABILITIES)
def test_every_string_people_read_is_marked_for_translation(capability):
    found = _unmarked()
    mine = {f: hits for f, hits in found.items() if f.split("/")[1] == capability}
    report = "\n".join(f"{f}:{n}: {text}" for f, hits in mine.items() for n, text in hits)
    assert not mine, f"Strings not marked for translation:\n{report}"


def test_a_capability_with_strings_has_a_french_catalogue():
    found = _unmarked()
    with_strings = set(APPS) | {f.split("/")[1] for f in found}
    missing = sorted(c for c in with_strings if not (CONCORD / c / "locale").is_dir())
    assert not missing


def _entries(po_text: str) -> list[str]:
    return [
        line[len("msgid ") :].strip('"')
        for line in po_text.splitlines()
        if line.startswith("msgid ") and line != 'msgid ""'
    ]


@needs_gettext
@pytest.mark.parametrize("app", APPS)
def test_every_marked_string_has_its_french(app, tmp_path):
    """Extract the marked strings afresh (as `make messages` does, into a copy) and merge
    them with the committed catalogue: no entry may be new, empty or fuzzy."""
    copy = tmp_path / app
    shutil.copytree(CONCORD / app, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": "concord.settings"}
    subprocess.run(
        [sys.executable, "-P", "-m", "django", "makemessages", "-l", "fr", "--no-obsolete",
         "--add-location", "never", "--ignore", "migrations/*", "--verbosity", "0"],
        cwd=copy, env=env, check=True,
    )  # fmt: skip
    po = copy / "locale" / "fr" / "LC_MESSAGES" / "django.po"
    assert po.exists(), f"concord/{app}/locale has no French catalogue: run make messages"

    def attrib(*flags):
        out = subprocess.run(
            ["msgattrib", "--no-wrap", *flags, str(po)], capture_output=True, text=True, check=True
        ).stdout
        return out

    untranslated = _entries(attrib("--untranslated", "--no-obsolete"))
    assert not untranslated, f"{app}: no French for:\n" + "\n".join(untranslated)
    fuzzy = attrib("--only-fuzzy", "--no-obsolete")
    assert "#, fuzzy" not in fuzzy, f"{app}: fuzzy entries (check and unmark them):\n{fuzzy}"


def _translations(po_text: str) -> list[str]:
    """Each entry's French, its continuation lines joined."""
    out, current = [], None
    for line in po_text.splitlines():
        if line.startswith("msgstr"):
            current = [line.split(" ", 1)[1].strip('"')]
            out.append(current)
        elif line.startswith('"') and current is not None:
            current.append(line.strip('"'))
        else:
            current = None
    return ["".join(parts) for parts in out]


def _doubled(text: str) -> bool:
    """The same text twice in a row (what a bad merge of a catalogue leaves)."""
    half = len(text) // 2
    return len(text) >= 10 and any(
        text[:cut].strip() and text[:cut].strip() == text[cut:].strip()
        for cut in range(half - 2, half + 3)
    )


@pytest.mark.parametrize("app", APPS)
def test_no_french_is_written_twice_in_a_row(app):
    po = CONCORD / app / "locale" / "fr" / "LC_MESSAGES" / "django.po"
    doubled = [t for t in _translations(po.read_text(encoding="utf-8")) if _doubled(t)]
    assert not doubled, f"{app}: French written twice:\n" + "\n".join(doubled)


def test_the_doubled_text_reader():
    assert _doubled("Obligatoire.Obligatoire.")
    assert _doubled("Une clé courte. Une clé courte.")
    assert not _doubled("Une clé courte, une clé longue.")
    assert _translations('msgid "a"\nmsgstr ""\n"un "\n"deux"\n\n') == ["un deux"]


# --- the readers themselves -------------------------------------------------------------------


def test_the_template_reader_finds_text_outside_translate_tags():
    template = """{% load i18n %}<h1>{% translate "Operations" %}</h1>
<p>{% blocktranslate count n=n %}{{ n }} clash{% plural %}{{ n }} clashes{% endblocktranslate %}</p>
<p>{{ n }} jobs ready</p>
<input placeholder="Search…"><input type="submit" value="{% translate 'Save' %}">
<a title="Open it" href="{% url 'x' %}">CSV</a> · {# a comment #}
<script>const words = "not read";</script>
<td>{{ row.owner|default:"(restricted)" }} {{ row.when|date:"Y-m-d" }}</td>"""
    assert unmarked_in_template(template) == [
        (3, "jobs ready"),
        (4, "Search…"),
        (5, "Open it"),
        (7, "(restricted)"),
    ]


def test_the_python_reader_finds_unmarked_messages():
    source = '''"""A module docstring is not read."""
from django.utils.translation import gettext as _, gettext_lazy

class Scenario(models.TextChoices):
    STAND_ALONE = "stand_alone", gettext_lazy("Stand-alone")
    SEQUENTIAL = "sequential", "Sequential"
    PARALLEL = "parallel"

def check(value):
    logger.warning("this is for the log")
    if value == "some value":
        raise ValidationError({"name": "Give a name."})
    raise ValidationError(_("Give a %(what)s.") % {"what": value})

def label():
    return f"{n} clashes found"

FIELD = forms.CharField(label="Lead state", help_text=_("Its ISO code or name"))
CODE = "shown as is"  # untranslated: a machine format

def view(request):
    messages.info(request, "Saved.")
    log.info("a line for the log")
    form.add_error("name", "Taken.")
    raise ValidationError("Give an http:// or https:// address.")
    return redirect("signin:account", "https://example.org/x")
'''
    assert [text for _, text in unmarked_in_python(source)] == [
        "Sequential",
        "choice PARALLEL has no label",
        "Give a name.",
        "x clashes found",
        "Lead state",
        "Saved.",
        "Taken.",
        "Give an http:// or https:// address.",
    ]


@needs_gettext
def test_one_english_string_has_one_french_across_the_catalogues(tmp_path):
    """Gettext merges the catalogues (the first app's entry wins): the same English with two
    different French in two capabilities would show one of them at random. Give one of them a
    context (pgettext) when the meanings differ."""
    import gettext

    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for app in APPS:
        po = CONCORD / app / "locale" / "fr" / "LC_MESSAGES" / "django.po"
        mo = tmp_path / f"{app}.mo"
        subprocess.run(["msgfmt", "-o", str(mo), str(po)], check=True)
        with mo.open("rb") as f:
            catalogue = gettext.GNUTranslations(f)._catalog
        for msgid, msgstr in catalogue.items():
            if not msgid:
                continue  # the header
            if msgid in seen and seen[msgid][1] != msgstr:
                clashes.append(f"{msgid!r}: {seen[msgid][0]} {seen[msgid][1]!r}, {app} {msgstr!r}")
            seen.setdefault(msgid, (app, msgstr))
    assert not clashes, "\n".join(clashes)
