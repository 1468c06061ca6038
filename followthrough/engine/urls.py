from django.urls import path

from . import settings_views, views

urlpatterns = [
    path("flags/<uuid:uid>/", views.flag_detail, name="flag_detail"),
    path("settings/thresholds/", settings_views.thresholds, name="thresholds"),
]
