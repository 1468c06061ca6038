from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from followthrough.calendars.models import CalendarFeed
from followthrough.calendars.services import feed_create, feed_revoke, feed_url
from followthrough.clients.models import Client
from followthrough.practice.models import Coach


class Command(BaseCommand):
    help = ("Create a private calendar feed address for a coach or a client and print it, "
            "or with --revoke turn off every feed address they have.")

    def add_arguments(self, parser):
        owner = parser.add_mutually_exclusive_group(required=True)
        owner.add_argument("--coach", metavar="USERNAME", help="the coach's login name")
        owner.add_argument("--client", metavar="EMAIL", help="the client's email address (or record uid)")
        parser.add_argument("--label", default="", help="a name to tell feeds apart, e.g. phone")
        parser.add_argument("--revoke", action="store_true", help="revoke the owner's active feeds instead")

    def handle(self, *args, coach, client, label, revoke, **options):
        owner = {"coach": self._coach(coach)} if coach else {"client": self._client(client)}
        if revoke:
            feeds = CalendarFeed.objects.filter(revoked_at=None, **owner)
            count = 0
            for feed in feeds:
                feed_revoke(feed=feed, by=None)
                count += 1
            self.stdout.write(f"revoked {count} feed{'s' if count != 1 else ''}")
            return
        try:
            _, token = feed_create(by=None, label=label, **owner)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(feed_url(token))

    def _coach(self, username):
        try:
            return Coach.objects.select_related("user").get(user__username=username)
        except Coach.DoesNotExist:
            raise CommandError(f"no coach with the login name {username!r}") from None

    def _client(self, value):
        matches = list(Client.objects.filter(email__iexact=value.strip())[:2])
        if not matches:
            try:
                matches = list(Client.objects.filter(uid=value.strip())[:1])
            except ValidationError:
                matches = []
        if not matches:
            raise CommandError(f"no client with the email address or uid {value!r}")
        if len(matches) > 1:
            raise CommandError(f"several clients have the email address {value!r}; give the client's uid instead")
        return matches[0]
