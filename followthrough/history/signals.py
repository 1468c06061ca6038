"""What the record-keeping apps announce to the apps above them, which they never import."""

from django.db import transaction
from django.dispatch import Signal

# Sent, with `engagement_id`, once a write that can change an engagement's follow-through
# is saved: a meeting held or missed, what it was about, a review. The engine listens
# and brings the engagement's flags up to date.
records_changed = Signal()


def announce_records_changed(engagement_id):
    """Send `records_changed` after the current transaction commits, so listeners see the
    saved records; robust, so a failing listener is logged and never undoes the write
    (the next scan catches up)."""
    transaction.on_commit(lambda: records_changed.send(sender=None, engagement_id=engagement_id),
                          robust=True)
