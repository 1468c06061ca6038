from django.contrib import admin

from followthrough.history.admin import EvidenceAdmin

from .models import FileReview, Intervention, InterventionStep, Letter, Notification, Referral


class StepInline(admin.TabularInline):
    model = InterventionStep
    fields = ("step", "at", "by", "note", "details")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Intervention)
class InterventionAdmin(EvidenceAdmin):
    list_display = ("engagement", "trigger", "opened_at", "last_step", "closed_at", "outcome")
    list_filter = ("trigger", "outcome", "last_step")
    list_select_related = ("engagement__client", "engagement__coach")
    inlines = [StepInline]


@admin.register(Referral)
class ReferralAdmin(EvidenceAdmin):
    list_display = ("from_engagement", "to_coach", "focus_area", "status", "consent_at", "completed_at")
    list_filter = ("status",)
    list_select_related = ("from_engagement__client", "from_engagement__coach", "to_coach", "focus_area")


@admin.register(Letter)
class LetterAdmin(EvidenceAdmin):
    list_display = ("subject", "kind", "engagement", "sent_at")
    list_filter = ("kind",)
    list_select_related = ("engagement__client", "engagement__coach")


@admin.register(FileReview)
class FileReviewAdmin(EvidenceAdmin):
    list_display = ("engagement", "meetings_count", "shown_at", "shared_at")
    list_select_related = ("engagement__client", "engagement__coach")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    # Operational messages, not evidence: an admin may tidy them up.
    list_display = ("coach", "text", "created_at", "read_at")
    list_select_related = ("coach",)
