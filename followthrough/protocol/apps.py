from django.apps import AppConfig


class ProtocolConfig(AppConfig):
    name = "followthrough.protocol"

    def ready(self):
        from followthrough.clients.signals import engagement_move_consequences, engagement_moved
        from followthrough.engine.signals import engagement_refreshed

        from . import receivers
        from .recovery import on_engagement_refreshed

        engagement_refreshed.connect(on_engagement_refreshed, dispatch_uid="protocol-recovery")
        engagement_moved.connect(receivers.close_open_intervention, dispatch_uid="protocol-move")
        engagement_move_consequences.connect(receivers.open_intervention_consequence,
                                             dispatch_uid="protocol-move-preview")
