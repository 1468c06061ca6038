from django.contrib import admin

from followthrough.history.admin import EvidenceAdmin

from .models import CalendarFeed


@admin.register(CalendarFeed)
class CalendarFeedAdmin(EvidenceAdmin):
    list_display = ("token_hint", "coach", "client", "label", "created_at", "revoked_at")
    list_select_related = ("coach", "client")
