from django.contrib import admin

from followthrough.history.admin import EvidenceAdmin

from .models import Coach, FocusArea, Practice
from .services import coach_update, focus_area_update


@admin.register(Practice)
class PracticeAdmin(EvidenceAdmin):
    list_display = ("name", "timezone")


@admin.register(FocusArea)
class FocusAreaAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "practice", "position", "is_active")
    list_filter = ("practice", "is_active")
    fields = ("name", "position", "is_active")

    def has_add_permission(self, request):
        return False  # added from the practice settings page, which picks a unique slug

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        obj.refresh_from_db()
        focus_area_update(focus_area=obj, by=request.user, **changes)


@admin.register(Coach)
class CoachAdmin(admin.ModelAdmin):
    list_display = ("display_name", "practice", "accepts_referrals", "caseload_capacity", "is_active")
    list_filter = ("practice", "accepts_referrals", "is_active")
    fields = ("display_name", "specialties", "accepts_referrals", "caseload_capacity",
              "is_practice_admin", "is_active")
    filter_horizontal = ("specialties",)

    def has_add_permission(self, request):
        return False  # `followthrough createcoach` creates the login and the coach together

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        self._changes = {n: form.cleaned_data[n] for n in form.changed_data if n != "specialties"}

    def save_related(self, request, form, formsets, change):
        coach = Coach.objects.get(pk=form.instance.pk)
        specialties = form.cleaned_data["specialties"] if "specialties" in form.changed_data else None
        coach_update(coach=coach, by=request.user, specialties=specialties, **self._changes)
