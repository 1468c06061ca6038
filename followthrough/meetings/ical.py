"""What a calendar knows a record by: its event UID, and how many times it changed in ways a
calendar shows (its SEQUENCE).

The calendar feed and the invitation attached to a reminder email both use these, so a
client who has both sees one event per meeting, updated in place, never two.
"""

from followthrough.history.models import Event as LogEvent

UID_DOMAIN = "followthrough"
# Changes to these fields are what a calendar shows; only they advance SEQUENCE.
MEETING_SHOWN = ("status", "starts_at", "duration_minutes", "location", "video_link")
COMMITMENT_SHOWN = ("description", "due_on", "outcome")
PLAN_SHOWN = ("description", "due_on", "outcome", "planned_at", "minutes_needed")


def event_uid(kind, uid):
    """The UID of a record's calendar event: `kind` is "meeting", "commitment" or "plan"."""
    return f"{kind}-{uid}@{UID_DOMAIN}"


def meeting_event_uid(meeting):
    return event_uid("meeting", meeting.uid)


def revision_of(events, shown, revisions=None):
    """Fold log rows (uid, at, before, after), oldest first, into uid -> (SEQUENCE, last change)
    counting only changes to `shown`."""
    revisions = {} if revisions is None else revisions
    for uid, at, before, after in events:
        sequence, _last = revisions.get(uid, (-1, None))
        if before is None:
            revisions[uid] = (0, at)
        elif any((before or {}).get(name) != (after or {}).get(name) for name in shown):
            revisions[uid] = (sequence + 1, at)
    return revisions


def revision(record, shown):
    """(SEQUENCE, last change) of one record from its event log; (0, None) before any."""
    events = (LogEvent.objects.filter(object_type=record.history_type(), object_uid=str(record.uid))
              .order_by("seq").values_list("object_uid", "at", "before", "after"))
    sequence, last = revision_of(events, shown).get(str(record.uid), (0, None))
    return max(sequence, 0), last
