from django.contrib import admin

from followthrough.history.admin import EvidenceAdmin

from .models import GoalScore, Meeting


@admin.register(Meeting)
class MeetingAdmin(EvidenceAdmin):
    list_display = ("engagement", "status", "starts_at", "paid")
    list_filter = ("status", "paid")
    list_select_related = ("engagement__client", "engagement__coach")


@admin.register(GoalScore)
class GoalScoreAdmin(EvidenceAdmin):
    list_display = ("goal", "meeting", "level")
    list_select_related = ("goal", "meeting")
