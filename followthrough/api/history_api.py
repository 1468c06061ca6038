"""A client's history: the events of the records this coach may see.

The same selector as the history page, so a referred client's records with another coach
(and that coach's private notes) stay out of this coach's view here too.
"""

from collections import defaultdict

from django.apps import apps
from django.contrib.auth import get_user_model
from ninja import Router
from ninja.pagination import paginate

from followthrough.clients.models import Client
from followthrough.history.models import TrackedModel
from followthrough.history.selectors import events_for_client
from followthrough.practice.models import FocusArea

from .common import load
from .schemas import EventOut

router = Router(tags=["history"])


def _model(object_type):
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return None
    return model if issubclass(model, TrackedModel) else None


def _references(model, snapshot):
    """(field name, related model, [pks]) for each reference inside a snapshot."""
    for name, value in (snapshot or {}).items():
        try:
            field = model._meta.get_field(name)
        except Exception:  # a field since removed: show the value as it was
            continue
        if not field.is_relation or value is None:
            continue
        pks = value if isinstance(value, list) else [value]
        yield name, field.related_model, pks


def _public_ids(events):
    """Map row numbers inside snapshots to uids (focus areas to slugs), one query per model."""
    wanted = defaultdict(set)
    for event in events:
        model = _model(event.object_type)
        if model is None:
            continue
        for snapshot in (event.before, event.after):
            for _, related, pks in _references(model, snapshot):
                wanted[related].update(pks)
    names = {}
    for related, pks in wanted.items():
        if related is FocusArea:
            names[related] = dict(FocusArea.objects.filter(pk__in=pks).order_by().values_list("pk", "slug"))
        elif issubclass(related, TrackedModel):
            names[related] = {pk: str(uid) for pk, uid in
                              related._default_manager.filter(pk__in=pks).order_by().values_list("pk", "uid")}
        elif related is get_user_model():
            names[related] = dict(related._default_manager.filter(pk__in=pks)
                                  .values_list("pk", related.USERNAME_FIELD))
    return names


def _translated(event, names):
    model = _model(event.object_type)
    if model is None:
        return event.before, event.after

    def translate(snapshot):
        if snapshot is None:
            return None
        out = dict(snapshot)
        for name, related, pks in _references(model, snapshot):
            mapped = [names.get(related, {}).get(pk) for pk in pks]
            out[name] = mapped if isinstance(snapshot[name], list) else mapped[0]
        return out

    return translate(event.before), translate(event.after)


@router.get("/clients/{uid}/history", response=list[EventOut],
            summary="The client's event log, newest first, as far as you may see it")
@paginate
def client_history(request, uid: str):
    client = load(request, Client, uid)
    return EventPage(events_for_client(client, user=request.user))


class EventPage:
    """The event list, translating only the page the paginator slices out of it."""

    def __init__(self, events):
        self.events = events

    def __len__(self):
        return len(self.events)

    def __getitem__(self, page):
        events = self.events[page]
        names = _public_ids(events)
        rows = []
        for event in events:
            before, after = _translated(event, names)
            rows.append({
                "seq": event.seq, "at": event.at, "actor": event.actor_label,
                "action": event.action, "object_type": event.object_type,
                "object_uid": event.object_uid, "before": before, "after": after,
                "hash": event.hash,
            })
        return rows
