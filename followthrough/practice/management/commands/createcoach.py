import getpass
import sys

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from followthrough.practice.models import DEFAULT_FOCUS_AREAS, Practice
from followthrough.practice.services import coach_create, practice_create

# Which option to blame for an error the services report against a field.
OPTION_FOR_FIELD = {
    "username": "--username", "email": "--email", "display_name": "--name",
    "first_name": "--name", "last_name": "--name", "specialties": "--specialty",
    "name": "--practice", "timezone": "--timezone", "password": "password",
}


def _as_command_error(exc):
    if hasattr(exc, "error_dict"):
        lines = [f"{OPTION_FOR_FIELD.get(field, field)}: {message}"
                 for field, messages in exc.message_dict.items() for message in messages]
    else:
        lines = exc.messages
    return CommandError("\n".join(lines))


class Command(BaseCommand):
    help = "Create a coach login, and the practice too if no practice has that name yet."

    def add_arguments(self, parser):
        parser.add_argument("--practice", required=True, help="practice name; created if missing")
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", required=True)
        parser.add_argument("--name", required=True, help='display name, e.g. "Ana Perez"')
        parser.add_argument("--specialty", action="extend", nargs="+", default=[], metavar="SLUG",
                            help="focus area slugs, e.g. business career (repeatable)")
        parser.add_argument("--admin", action="store_true", help="make the coach a practice admin")
        parser.add_argument("--timezone", default="UTC",
                            help="time zone of a practice created now (default UTC)")
        parser.add_argument("--password-stdin", action="store_true",
                            help="read the password from the first line of standard input")

    def handle(self, *args, **options):
        username = options["username"].strip()
        # Checked before asking for a password, so nobody types one for nothing.
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise CommandError(f"--username: the username {username!r} is taken.")
        practices = list(Practice.objects.filter(name=options["practice"]))
        if len(practices) > 1:
            raise CommandError(f"--practice: {len(practices)} practices are called "
                               f"{options['practice']!r}; rename one first.")
        practice = practices[0] if practices else None
        # A practice made now starts with the default focus areas.
        available = ([slug for slug, _ in DEFAULT_FOCUS_AREAS] if practice is None else
                     list(practice.focus_areas.filter(is_active=True).values_list("slug", flat=True)))
        unknown = [slug for slug in options["specialty"] if slug not in available]
        if unknown:
            raise CommandError(f"--specialty: unknown focus area {', '.join(map(repr, unknown))}; "
                               f"choose from: {', '.join(sorted(available))}.")
        password = self._password(options["password_stdin"])
        try:
            with transaction.atomic():
                created = practice is None
                if created:
                    practice = practice_create(name=options["practice"], timezone=options["timezone"])
                specialties = list(practice.focus_areas.filter(slug__in=options["specialty"]))
                coach = coach_create(
                    practice=practice, username=username, email=options["email"],
                    display_name=options["name"].strip(), password=password,
                    specialties=specialties, is_practice_admin=options["admin"],
                )
        except ValidationError as exc:
            raise _as_command_error(exc) from exc
        if created:
            self.stdout.write(f"Created the practice {practice.name!r}.")
        areas = ", ".join(area.name for area in coach.specialties.all()) or "no specialties yet"
        role = " (practice admin)" if coach.is_practice_admin else ""
        self.stdout.write(self.style.SUCCESS(
            f"Created coach {coach.display_name} <{username}>{role} in {practice.name!r}: {areas}."
        ))

    def _password(self, from_stdin):
        if from_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            if not sys.stdin.isatty():
                raise CommandError("No terminal to ask for a password; use --password-stdin.")
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("password: the two passwords differ.")
        if not password:
            raise CommandError("password: a coach needs a password.")
        try:
            password_validation.validate_password(password)
        except ValidationError as exc:
            raise CommandError("password: " + " ".join(exc.messages)) from exc
        return password
