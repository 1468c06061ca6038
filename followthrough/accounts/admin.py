from django.contrib import admin

from followthrough.history.admin import EvidenceAdmin

from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(EvidenceAdmin):
    list_display = ("name", "coach", "hint", "created_at", "last_used_at", "revoked_at")
    list_select_related = ("coach",)
