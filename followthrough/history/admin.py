from django.contrib import admin

from .models import AccessRecord, ChainHead, Event


class EvidenceAdmin(admin.ModelAdmin):
    """Records are evidence: the admin shows them but changes go through the app's services,
    which log every change. Editing here would rewrite history without a trace."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(EvidenceAdmin):
    list_display = ("seq", "at", "actor_label", "action", "object_type", "object_uid")
    list_filter = ("action", "object_type")
    search_fields = ("object_uid", "client_uid", "actor_label")


@admin.register(ChainHead)
class ChainHeadAdmin(EvidenceAdmin):
    list_display = ("last_seq", "last_hash", "signature")


@admin.register(AccessRecord)
class AccessRecordAdmin(EvidenceAdmin):
    list_display = ("at", "actor_label", "kind", "client_uid", "object_uid")
    list_filter = ("kind",)
    search_fields = ("client_uid", "actor_label")
