from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from followthrough import settings as settings_module
from followthrough.history import sealing


class Command(BaseCommand):
    help = ("Rotate FT_DATA_KEY: re-wrap every client's key under the new data key given in FT_NEW_DATA_KEY "
            "(or the file FT_NEW_DATA_KEY_FILE names; never on the command line), in one transaction. Stop the "
            "app and its workers first; afterwards set FT_DATA_KEY to the new key and start them again. "
            "Backups taken before the rotation still need the old key.")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true",
                            help="open and re-wrap every key to check both data keys, and write nothing")

    def handle(self, *args, dry_run=False, **options):
        try:
            # Read by the same rules as FT_DATA_KEY itself: the variable, its _FILE, a minimum length.
            new_key = settings_module.env_key("FT_NEW_DATA_KEY", debug=False,
                                              development_key=settings.DEVELOPMENT_DATA_KEY,
                                              min_length=settings.DATA_KEY_MIN_LENGTH)
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from None
        try:
            count = sealing.rewrap_client_keys(new_data_key=new_key, dry_run=dry_run)
        except (ValueError, RuntimeError) as exc:
            raise CommandError(f"{exc}; no key was changed") from None
        if dry_run:
            self.stdout.write(f"dry run: {count} client key(s) open with FT_DATA_KEY and re-wrap under the new "
                              "key; nothing was written")
            return
        self.stdout.write(f"re-wrapped {count} client key(s) under the new data key. Now set FT_DATA_KEY (or "
                          "FT_DATA_KEY_FILE) to the new key and start the app and the workers again; keep the "
                          "old key with the backups taken before now.")
