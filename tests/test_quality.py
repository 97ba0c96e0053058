"""Guards that keep main green: lint, and no model change without its migration."""

from __future__ import annotations

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
