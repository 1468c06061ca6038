from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "followthrough.portal"
    label = "portal"
    verbose_name = "Client portal"
