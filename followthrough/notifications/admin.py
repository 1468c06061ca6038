from django.contrib import admin

from followthrough.history.admin import EvidenceAdmin

from .models import Delivery, Digest, MeetingReminder, Reminder


class QueueAdmin(EvidenceAdmin):
    """Read-only: a row edited by hand could be sent twice or never; the remind pass owns them."""


@admin.register(Reminder)
class ReminderAdmin(QueueAdmin):
    list_display = ("commitment", "kind", "due_on", "send_at", "state", "attempts", "cancel_reason", "last_error")
    list_filter = ("kind", "cancel_reason")
    list_select_related = ("commitment",)
    date_hierarchy = "send_at"


@admin.register(MeetingReminder)
class MeetingReminderAdmin(QueueAdmin):
    list_display = ("meeting", "kind", "starts_at", "send_at", "state", "attempts", "cancel_reason", "last_error")
    list_filter = ("kind", "cancel_reason")
    list_select_related = ("meeting",)
    date_hierarchy = "send_at"


@admin.register(Digest)
class DigestAdmin(QueueAdmin):
    list_display = ("coach", "on_date", "state", "attempts", "cancel_reason", "last_error")
    list_select_related = ("coach",)


@admin.register(Delivery)
class DeliveryAdmin(QueueAdmin):
    list_display = ("at", "to", "what", "result", "subject", "error")
    list_filter = ("result", "what")
    search_fields = ("to", "subject")
