from django.contrib import admin

from followthrough.history.admin import EvidenceAdmin

from .models import CheckInvitation, Delivery, Digest, InboundMessage, MeetingReminder, Reminder


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


@admin.register(CheckInvitation)
class CheckInvitationAdmin(QueueAdmin):
    list_display = ("meeting", "send_at", "state", "attempts", "cancel_reason", "last_error")
    list_filter = ("cancel_reason",)
    list_select_related = ("meeting",)
    date_hierarchy = "send_at"


@admin.register(InboundMessage)
class InboundMessageAdmin(EvidenceAdmin):
    """Clients' replies read by `followthrough inbox`: the set-aside ones are for a person to read."""

    list_display = ("received_at", "from_address", "subject", "status", "reason", "meaning", "detail")
    list_filter = ("status", "reason", "meaning")
    search_fields = ("from_address", "subject", "reply_text")
    date_hierarchy = "received_at"
