"""Closing an intervention as recovered once the client is following through again.

The engine recomputes an engagement after each meeting review (an on_commit hook in the
meeting and commitment services) and then sends `engagement_refreshed`; this module
listens to it (connected in the app's ready()).
"""

import logging

from followthrough.clients.models import Engagement
from followthrough.engine.metrics import engagement_followthrough

from .selectors import RECOVERY_MEETINGS
from .services import intervention_close_if_recovered

log = logging.getLogger(__name__)


def recovery_check(engagement, *, by=None):
    """Close the engagement's open intervention as recovered if its last RECOVERY_MEETINGS
    reviewed held meetings since it opened each reached the coach's threshold.
    Returns the closed intervention, or None."""
    if not isinstance(engagement, Engagement):
        engagement = Engagement.objects.select_related("coach").get(pk=engagement)
    if not engagement.interventions.open().exists():
        return None
    data = engagement_followthrough(engagement)
    figures = [(f.meeting.starts_at, float(f.figure)) for f in data["figures"]]
    return intervention_close_if_recovered(
        engagement=engagement, figures=figures, threshold=data["thresholds"].followthrough_below,
        meetings_needed=RECOVERY_MEETINGS, by=by,
    )


def recovery_check_quietly(engagement_id):
    """For on_commit hooks next to the engine's refresh: a failure is logged, never shown to
    the coach who saved the meeting; the next review tries again."""
    try:
        return recovery_check(engagement_id)
    except Exception:
        log.exception("protocol: recovery check of engagement %s failed", engagement_id)
        return None


def on_engagement_refreshed(sender, engagement_id, **kwargs):
    recovery_check_quietly(engagement_id)
