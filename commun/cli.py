"""The `commun` command: Django's management commands under one short name.

`commun demo` loads the demo cooperative, `commun serve` serves it with its worker,
`commun worker` runs background tasks; every other word is a management command.
"""

import os
import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commun.settings")
    from django.core.management import execute_from_command_line

    argv[0] = "commun"
    execute_from_command_line(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
