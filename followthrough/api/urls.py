from django.urls import path

from . import views

urlpatterns = [
    path("", views.tokens, name="api_tokens"),
    path("<uuid:uid>/revoke/", views.token_revoke, name="api_token_revoke"),
]
