"""Reading the event log for the pages that show a record's history."""

from collections import defaultdict

from django.apps import apps

from .models import Event


def visible_history(client, *, user=None):
    """The seqs of every logged change to a client and the records filed under them, newest
    first; with `user`, only of the records that user may see. A client referred to another
    coach has records in that coach's engagement, and their notes must not show up in this
    coach's history. Visibility is asked of each record type's own `visible_to`, so record
    types added later are filtered the same way without changes here.

    It is judged on the stored rows' types and uids alone: nothing is loaded whole or
    opened. A page of the seqs is then read with `events_by_seq`, so a file with years of
    history costs a page, not years. Two queries whatever the length of the history.
    """
    stored = list(Event.objects.filter(client_uid=str(client.uid)).order_by("-seq")
                  .values_list("seq", "object_type", "object_uid"))
    if user is None or not stored:
        return [seq for seq, _, _ in stored]
    visible = _visible_uids(((object_type, object_uid) for _, object_type, object_uid in stored), user)
    return [seq for seq, _, object_uid in stored if object_uid in visible]


def events_by_seq(seqs):
    """The events `seqs` names, opened (one query, and one for the clients' keys), in that order."""
    by_seq = {event.seq: event for event in Event.objects.filter(seq__in=list(seqs))}
    return [by_seq[seq] for seq in seqs if seq in by_seq]


def _visible_uids(places, user):
    """The uids among `places` ((object type, object uid) pairs) that `user` may see."""
    uids_by_type = defaultdict(set)
    for object_type, object_uid in places:
        uids_by_type[object_type].add(object_uid)
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
