"""The ``concord`` command: Django's management commands plus Concord's own
(serve, seed, createuser, import, export, audit, backup, restore)."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concord.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["concord", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
