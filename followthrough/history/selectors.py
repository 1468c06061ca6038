"""Reading the event log for the pages that show a record's history."""

from collections import defaultdict

from django.apps import apps

from .models import Event


def events_for_client(client, *, user=None):
    """Every logged change to a client and the records filed under them, newest first.

    With `user`, only events about records that user may see are kept: a client referred to
    another coach has records in that coach's engagement, and their notes must not show up
    in this coach's history. Visibility is asked of each record type's own `visible_to`, so
    record types added later are filtered the same way without changes here. Two queries
    whatever the size of the file, and one for the client's key, which opens the sealed
    personal fields (history.sealing).
    """
    events = list(Event.objects.filter(client_uid=str(client.uid)).order_by("-seq"))
    if user is None or not events:
        return events
    visible = _visible_uids(events, user)
    return [event for event in events if event.object_uid in visible]


def _visible_uids(events, user):
    uids_by_type = defaultdict(set)
    for event in events:
        uids_by_type[event.object_type].add(event.object_uid)
    parts = []
    for object_type, uids in uids_by_type.items():
        model = _model_for(object_type)
        queryset = model._default_manager.all() if model is not None else None
        if queryset is None or not hasattr(queryset, "visible_to"):
            continue
        parts.append(queryset.visible_to(user).filter(uid__in=list(uids)).order_by().values_list("uid"))
    if not parts:
        return set()
    query = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return {str(uid) for (uid,) in query}


def _model_for(object_type):
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None
