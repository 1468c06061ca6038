"""Reminder preferences become terms of the agreement.

Agreements written before this were acknowledged without any reminder terms, so they get
none: reminders start only once a version that includes them is agreed. Each existing
agreement gets one event in the log recording the new terms, so `verify` still finds every
agreement equal to its history.
"""

import django.core.validators
from django.db import migrations, models
from django.utils import timezone

import followthrough.clients.models

# The agreement's logged fields as they stood before this migration.
OLD_FIELDS = (
    "engagement", "version", "came_for", "primary_focus", "meeting_cadence", "fee_amount",
    "fee_currency", "fee_terms", "call_to_action", "client_responsibilities", "coach_scope",
    "review_terms", "renegotiation_reason", "acknowledged_at", "acknowledged_name",
)
NONE_AGREED = {
    "reminder_before": False, "reminder_days_before": 1, "reminder_on_day": False,
    "reminder_overdue": False, "quiet_hours_start": "", "quiet_hours_end": "",
}


def no_reminders_for_existing(apps, schema_editor):
    from followthrough.history.models import json_safe
    from followthrough.history.services import event_hash

    Agreement = apps.get_model("clients", "Agreement")
    Event = apps.get_model("history", "Event")
    ChainHead = apps.get_model("history", "ChainHead")
    agreements = list(Agreement.objects.select_related("engagement__client").order_by("pk"))
    if not agreements:
        return
    Agreement.objects.update(**NONE_AGREED)
    head = ChainHead.objects.select_for_update().get(pk=1)
    for agreement in agreements:
        before = {}
        for name in OLD_FIELDS:
            field = Agreement._meta.get_field(name)
            before[name] = json_safe(getattr(agreement, field.attname))
        after = {**before, **NONE_AGREED}
        fields = {
            "seq": head.last_seq + 1, "at": timezone.now(), "actor_id": None, "actor_label": "system",
            "action": "agreement.reminder_terms_added", "object_type": "clients.agreement",
            "object_uid": str(agreement.uid), "client_uid": str(agreement.engagement.client.uid),
            "before": before, "after": after,
        }
        digest = event_hash(prev_hash=head.last_hash, **fields)
        Event.objects.create(prev_hash=head.last_hash, hash=digest, **fields)
        head.last_seq, head.last_hash = fields["seq"], digest
    head.save(update_fields=["last_seq", "last_hash"])


class Migration(migrations.Migration):

    dependencies = [
        ("clients", "0001_initial"),
        ("history", "0002_chain_head"),
    ]

    operations = [
        migrations.AddField(
            model_name="agreement",
            name="quiet_hours_end",
            field=models.CharField(blank=True, help_text="HH:MM in the client's time zone, e.g. 08:00", max_length=5, validators=[followthrough.clients.models.validate_clock], verbose_name="quiet hours end"),
        ),
        migrations.AddField(
            model_name="agreement",
            name="quiet_hours_start",
            field=models.CharField(blank=True, help_text="HH:MM in the client's time zone, e.g. 21:00", max_length=5, validators=[followthrough.clients.models.validate_clock], verbose_name="quiet hours start"),
        ),
        migrations.AddField(
            model_name="agreement",
            name="reminder_before",
            field=models.BooleanField(default=True, verbose_name="remind before the due date"),
        ),
        migrations.AddField(
            model_name="agreement",
            name="reminder_days_before",
            field=models.PositiveSmallIntegerField(default=1, validators=[django.core.validators.MinValueValidator(1, "Days before the due date must be at least 1."), django.core.validators.MaxValueValidator(14, "Days before the due date can be at most 14.")], verbose_name="days before the due date"),
        ),
        migrations.AddField(
            model_name="agreement",
            name="reminder_on_day",
            field=models.BooleanField(default=True, verbose_name="remind on the due date"),
        ),
        migrations.AddField(
            model_name="agreement",
            name="reminder_overdue",
            field=models.BooleanField(default=True, verbose_name="one notice when overdue"),
        ),
        migrations.RunPython(no_reminders_for_existing, migrations.RunPython.noop),
    ]
