"""The single command-line entry point ``kofo`` (wraps Django's management commands)."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kofo.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "kofo"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
