from django.urls import path

from . import views

urlpatterns = [
    path("flags/<uuid:uid>/", views.flag_detail, name="flag_detail"),
]
