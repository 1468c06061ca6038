"""Limits on guessing: where a request comes from, the lockout page, and counted attempts.

Password sign-ins (the coach login, the admin site's, which is the same) and the second
factor's codes are counted by django-axes per account and per address. Sign-in link
requests are counted here per address, in the database so every server thread and process
sees the same count.
"""

import ipaddress
import logging
from datetime import timedelta

from axes.backends import AxesStandaloneBackend
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver
from django.shortcuts import render

from followthrough.history import clock

from .models import ThrottleHit

log = logging.getLogger("followthrough.security")


def client_ip(request):
    """The caller's address: the socket's, or behind FT_TRUSTED_PROXIES proxies the one the
    outermost trusted proxy saw (X-Forwarded-For is appended to left to right, so anything
    further left was written by the caller and proves nothing)."""
    remote = request.META.get("REMOTE_ADDR", "")
    hops = getattr(settings, "FT_TRUSTED_PROXIES", 0)
    if hops:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= hops:
            remote = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(remote))
    except ValueError:
        return "0.0.0.0"  # noqa: S104 - a placeholder key for an unreadable address, not a bind address


class ThrottledBackend(AxesStandaloneBackend):
    """django-axes' lockout check for every sign-in made through a request. `authenticate()`
    without one (the CLI checking a password it just set) has nobody to throttle, and axes
    would refuse it outright."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def locked_out(request, credentials=None, *args, **kwargs):
    """The page for a locked-out sign-in: the same for an account that exists and one that
    does not, so it tells nobody which usernames are real."""
    minutes = int(get_cool_off(request).total_seconds() // 60)
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)


def is_locked_out(request, username):
    return AxesProxyHandler.is_locked(request, {"username": username})


def count_failed_code(request, username):
    """A wrong second-factor code counts like a wrong password for the same account."""
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)


@receiver(user_locked_out)
def _log_lockout(sender, request, username, ip_address, **kwargs):
    # axes keeps the attempts (admin: Axes → Access attempts); this line is for the server log.
    log.warning("sign-in locked out: username=%r ip=%s path=%s", username, ip_address,
                getattr(request, "path", ""))


def allow(scope, key, *, limit, per):
    """Count one attempt; False when `key` already made `limit` of them within `per`."""
    now = clock.now()
    since = now - per
    hits = ThrottleHit.objects.filter(scope=scope, key=key, at__gte=since)
    if hits.count() >= limit:
        log.warning("throttled: %s %s (%s within %s)", scope, key, limit, per)
        return False
    # Old rows are no use to any limit; clearing them here keeps the table small without a job.
    ThrottleHit.objects.filter(scope=scope, at__lt=now - timedelta(days=1)).delete()
    ThrottleHit.objects.create(scope=scope, key=key, at=now)
    return True
