"""The `followthrough` command: Django's management commands under the project's name.

`followthrough help` lists the project's own commands under the app that holds each (the
README's table says what each does); every other Django command (migrate, shell,
createsuperuser, ...) is reachable the same way.
"""

import os
import sys


def main(argv=None):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "followthrough.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv if argv is None else argv)
    argv[0] = "followthrough"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
