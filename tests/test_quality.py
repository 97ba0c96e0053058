"""Guards that keep main green: lint, and no model change without its migration."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_no_model_change_without_a_migration():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_ruff_lint_passes():
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent))
    if ruff is None:
        pytest.skip("ruff is not installed in this environment (make install adds it)")
    result = subprocess.run(
        [ruff, "check", "concord", "tests", "bench"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _lint_imports(cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    tool = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if tool is None:
        pytest.skip("import-linter is not installed in this environment (make install adds it)")
    return subprocess.run(
        [tool, "--no-cache"], cwd=cwd, capture_output=True, text=True, env=env, timeout=300
    )


def test_the_import_contracts_hold():
    """Core and the shell import no capability, analysis no Django, the API no views, the
    CLI no API, and a capability another only through its public rooms (pyproject.toml)."""
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_an_import_against_a_contract_fails_the_check_naming_it(tmp_path):
    """The contracts can fail: a copy of the package where core imports a capability."""
    shutil.copytree(
        ROOT / "concord",
        tmp_path / "concord",
        ignore=shutil.ignore_patterns("__pycache__", "static", "templates", "*.csv", "*.json"),
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    (tmp_path / "concord" / "core" / "shortcut.py").write_text(
        "from concord.labour.models import Assignment  # noqa: F401\n"
    )
    result = _lint_imports(tmp_path, env={**os.environ, "PYTHONPATH": str(tmp_path)})
    assert result.returncode != 0
    assert "Core imports no capability" in result.stdout
    assert "concord.core.shortcut -> concord.labour.models" in result.stdout


def test_analysis_takes_from_django_only_its_translation_functions():
    """The import contract lets the analysis modules import "django" (import-linter sees an
    external package whole): that may be django.utils.translation and nothing else."""
    import ast

    modules = [
        *(ROOT / "concord").glob("*/analysis.py"),
        *(ROOT / "concord").glob("*/analysis/*.py"),
    ]
    assert len(modules) >= 4
    for path in modules:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("django"):
                assert node.module == "django.utils.translation", (path, node.module)
            if isinstance(node, ast.Import):
                assert not any(a.name.startswith("django") for a in node.names), path


def test_no_module_is_longer_than_600_lines():
    """A module past about 600 lines is hard to read as a whole: make its room a package
    (views/, api/, threew/) and split it by use case (docs/architecture.md)."""
    long = {}
    for path in (ROOT / "concord").rglob("*.py"):
        if "migrations" in path.parts:
            continue
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > 600:
            long[str(path.relative_to(ROOT))] = lines
    assert long == {}, f"split into a package: {long}"


def test_every_audit_action_code_fits_its_column():
    """An action written as a code (``action = "…"  # untranslated: an audit action``) fits
    AuditEntry.action: SQLite stores a longer one, PostgreSQL refuses it (a password-reset
    request failed there with "value too long")."""
    import re

    from concord.core.models import AuditEntry

    limit = AuditEntry._meta.get_field("action").max_length
    code = re.compile(r'"([^"]+)"\s*#\s*untranslated: an audit action')
    found = {
        m.group(1): str(path.relative_to(ROOT))
        for path in (ROOT / "concord").rglob("*.py")
        for m in code.finditer(path.read_text(encoding="utf-8"))
    }
    assert "two-factor reset" in found  # the reader finds them
    too_long = {a: where for a, where in found.items() if len(a) > limit}
    assert not too_long, f"longer than {limit} characters: {too_long}"
