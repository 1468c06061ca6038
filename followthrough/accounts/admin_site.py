"""The admin site behind the app's own sign-in: the same throttled login and a second
factor proven in this session, for every staff account."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminSite(admin.AdminSite):
    site_header = "Followthrough administration"

    def has_permission(self, request):
        from . import two_factor

        return super().has_permission(request) and two_factor.session_state(request) == two_factor.VERIFIED

    def login(self, request, extra_context=None):
        from .login_views import admin_login

        return admin_login(request, extra_context)


class AdminConfig(DjangoAdminConfig):
    default_site = "followthrough.accounts.admin_site.AdminSite"
