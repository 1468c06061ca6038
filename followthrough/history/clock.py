"""The one clock every record is dated by, and the day it is for a practice or a client.

Services ask `now()` rather than Django's clock so a caller that writes the past, the demo
replaying months of coaching, can set the time with `set_to` instead of patching Django.
"Today" is always somebody's: a practice's or a client's day in their own time zone, never
the server's.
"""

import zoneinfo
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils import timezone

_set_moment = ContextVar("followthrough_clock", default=None)


def now():
    moment = _set_moment.get()
    return moment if moment is not None else timezone.now()


def today(time_zone):
    """The date it is now in `time_zone` (a name such as "Pacific/Auckland")."""
    return timezone.localtime(now(), zoneinfo.ZoneInfo(time_zone)).date()


@contextmanager
def set_to(moment):
    """Read `moment` as now while the block runs (in this thread or task only)."""
    token = _set_moment.set(moment)
    try:
        yield moment
    finally:
        _set_moment.reset(token)
