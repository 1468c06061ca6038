from django.contrib.auth import views as auth_views
from django.urls import path

from . import signin, token_views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("settings/tokens/", token_views.tokens, name="api_tokens"),
    path("settings/tokens/<uuid:uid>/revoke/", token_views.token_revoke, name="api_token_revoke"),
    # The client's ways in to the portal.
    path("me/password/", signin.password, name="portal_password"),
    path("me/sign-in/", signin.sign_in, name="portal_sign_in"),
    path("me/link/<str:token>/", signin.link, name="portal_link"),
]
