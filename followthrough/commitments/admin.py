from django.contrib import admin

from followthrough.history.admin import EvidenceAdmin

from .models import Commitment


@admin.register(Commitment)
class CommitmentAdmin(EvidenceAdmin):
    list_display = ("description", "engagement", "due_on", "outcome", "derivation")
    list_filter = ("outcome", "derivation")
    list_select_related = ("engagement__client", "engagement__coach")
