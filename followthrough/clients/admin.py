from django.contrib import admin

from followthrough.history.admin import EvidenceAdmin

from .models import Agreement, Client, Engagement, EngagementTransition, Goal


@admin.register(Client)
class ClientAdmin(EvidenceAdmin):
    list_display = ("full_name", "email", "practice", "created_at")
    search_fields = ("full_name", "email")


@admin.register(Engagement)
class EngagementAdmin(EvidenceAdmin):
    list_display = ("client", "coach", "state", "started_on", "check_back_on")
    list_filter = ("state",)
    list_select_related = ("client", "coach")


@admin.register(EngagementTransition)
class EngagementTransitionAdmin(EvidenceAdmin):
    list_display = ("engagement", "from_state", "to_state", "at", "by")
    list_select_related = ("engagement__client", "engagement__coach", "by")


@admin.register(Agreement)
class AgreementAdmin(EvidenceAdmin):
    list_display = ("engagement", "version", "primary_focus", "acknowledged_at")
    list_select_related = ("engagement__client", "engagement__coach", "primary_focus")


@admin.register(Goal)
class GoalAdmin(EvidenceAdmin):
    list_display = ("title", "agreement")
    list_select_related = ("agreement",)
