"""The client's own report that a commitment is done.

The new fields join the commitment's logged fields, so each existing commitment gets one
system event recording them at their empty values; without it `verify` would report
every older commitment as edited behind the log's back.
"""

from django.db import migrations, models
from django.utils import timezone

NEW_FIELDS = {"client_reported_done_at": None, "client_report_note": ""}
OBJECT_TYPE = "commitments.commitment"


def log_new_fields(apps, schema_editor):
    from followthrough.history.services import event_hash

    Commitment = apps.get_model("commitments", "Commitment")
    Event = apps.get_model("history", "Event")
    ChainHead = apps.get_model("history", "ChainHead")
    uids = [str(uid) for uid in Commitment.objects.order_by("pk").values_list("uid", flat=True)]
    if not uids:
        return
    latest = {}
    for uid, after, client_uid in (
        Event.objects.filter(object_type=OBJECT_TYPE).order_by("seq")
        .values_list("object_uid", "after", "client_uid").iterator(chunk_size=5000)
    ):
        latest[uid] = (after, client_uid)
    head = ChainHead.objects.select_for_update().get(pk=1)
    now = timezone.now()
    for uid in uids:
        after, client_uid = latest.get(uid, (None, ""))
        if after is None or all(name in after for name in NEW_FIELDS):
            continue
        fields = {
            "seq": head.last_seq + 1, "at": now, "actor_id": None, "actor_label": "system",
            "action": "commitment.fields_added", "object_type": OBJECT_TYPE, "object_uid": uid,
            "client_uid": client_uid, "before": after,
            "after": {**NEW_FIELDS, **after},
        }
        digest = event_hash(prev_hash=head.last_hash, **fields)
        Event.objects.create(prev_hash=head.last_hash, hash=digest, **fields)
        head.last_seq, head.last_hash = fields["seq"], digest
    head.save(update_fields=["last_seq", "last_hash"])


class Migration(migrations.Migration):

    dependencies = [
        ("commitments", "0001_initial"),
        ("history", "0002_chain_head"),
    ]

    operations = [
        migrations.AddField(
            model_name="commitment",
            name="client_report_note",
            field=models.TextField(blank=True, verbose_name="client's note on it"),
        ),
        migrations.AddField(
            model_name="commitment",
            name="client_reported_done_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="client reported done at"),
        ),
        migrations.RunPython(log_new_fields, migrations.RunPython.noop),
    ]
