"""The project's own set-up files (issue 14, items 17-18)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_license_is_an_spdx_string():
    """A table (``{text = …}``) is deprecated by setuptools, which warned on every install."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["license"] == "AGPL-3.0-or-later"
    build = project["build-system"]["requires"]
    assert any(r.startswith("setuptools>=77") for r in build), build  # reads the SPDX string


def test_skipped_browser_tests_are_announced_loudly():
    """Item 17: without Chromium, ``make test`` was green with the browser tests skipped."""
    from types import SimpleNamespace

    from .conftest import pytest_terminal_summary

    said = []
    reporter = SimpleNamespace(
        stats={
            "skipped": [
                SimpleNamespace(nodeid="tests/test_browser.py::test_a"),
                SimpleNamespace(nodeid="tests/test_browser.py::test_b"),
                SimpleNamespace(nodeid="tests/test_labour.py::test_c"),
            ]
        },
        write_sep=lambda sep, text, **kw: said.append(text),
    )
    pytest_terminal_summary(reporter)
    assert len(said) == 1 and said[0].startswith("2 BROWSER TEST(S) SKIPPED")
    reporter.stats = {"skipped": reporter.stats["skipped"][2:]}
    pytest_terminal_summary(reporter)
    assert len(said) == 1


def test_make_test_installs_chromium_before_the_suite():
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\ntest: install\n", 1)[1].split("\n\n", 1)[0]
    assert recipe.lstrip().startswith("scripts/install-chromium")
    assert (ROOT / "scripts" / "install-chromium").stat().st_mode & 0o111
