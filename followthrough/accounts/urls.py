from django.contrib.auth import views as auth_views
from django.urls import path

from . import invitations, login_views, security_views, signin, token_views

urlpatterns = [
    path("login/", login_views.LoginView.as_view(), name="login"),
    path("login/code/", login_views.verify, name="login_verify"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("settings/tokens/", token_views.tokens, name="api_tokens"),
    path("settings/tokens/<uuid:uid>/revoke/", token_views.token_revoke, name="api_token_revoke"),
    path("settings/security/", security_views.two_factor, name="two_factor"),
    path("settings/security/recovery-codes/", security_views.recovery_codes, name="recovery_codes"),
    path("settings/security/off/", security_views.two_factor_off, name="two_factor_off"),
    path("settings/security/log-out-everywhere/", security_views.log_out_everywhere,
         name="log_out_everywhere"),
    path("settings/practice-security/", security_views.practice_security, name="practice_security"),
    path("settings/access-log/", security_views.access_log, name="access_log"),
    path("join/<str:token>/", invitations.invitation_accept_page, name="invitation_accept"),
    # The client's ways in to the portal.
    path("me/password/", signin.password, name="portal_password"),
    path("me/sign-in/", signin.sign_in, name="portal_sign_in"),
    path("me/link/<str:token>/", signin.link, name="portal_link"),
]
