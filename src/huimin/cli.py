"""The ``huimin`` command: Django's management commands under one name (``huimin audit verify``,
``huimin regions import FILE``, ``huimin demo load``, ``huimin migrate`` …)."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huimin.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["huimin", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
