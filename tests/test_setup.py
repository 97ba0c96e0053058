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
