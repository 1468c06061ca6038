"""The signed meeting-check page, at the site's root so the emailed link stays short."""

from django.urls import path

from . import checks

urlpatterns = [
    path("check/<str:token>/", checks.signed_check, name="check_signed"),
]
