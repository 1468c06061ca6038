from django.apps import AppConfig


class ProtocolConfig(AppConfig):
    name = "followthrough.protocol"

    def ready(self):
        from followthrough.engine.signals import engagement_refreshed

        from .recovery import on_engagement_refreshed

        engagement_refreshed.connect(on_engagement_refreshed, dispatch_uid="protocol-recovery")
