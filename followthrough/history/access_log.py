"""Who looked at a client's records: one row per view of a file, a file review, a PDF or
an export, for the practice admin and the client's own export."""

from .models import AccessRecord
from .services import actor_label_about

Kind = AccessRecord.Kind


def record_view(request, *, client, kind, obj=None):
    """Note that the person behind `request` viewed `kind` of `client`'s records (the client
    themselves as "the client": this log is append-only, and erasure could not remove a name)."""
    user = request.user if getattr(request.user, "is_authenticated", False) else None
    AccessRecord.objects.create(
        user=user, actor_label=actor_label_about(user, client.uid), practice_id=client.practice_id,
        client_uid=str(client.uid), kind=kind, object_uid=str(obj.uid) if obj is not None else "",
    )


def views_in_practice(practice_id, *, client_uid=None):
    records = AccessRecord.objects.filter(practice_id=practice_id)
    if client_uid:
        records = records.filter(client_uid=str(client_uid))
    return records


def views_of_client(client):
    """Every recorded view of one client's records, newest first (for the client's export)."""
    return AccessRecord.objects.filter(client_uid=str(client.uid))
