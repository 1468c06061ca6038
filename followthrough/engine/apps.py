from django.apps import AppConfig


class EngineConfig(AppConfig):
    name = "followthrough.engine"
    verbose_name = "Follow-through engine"

    def ready(self):
        from followthrough.clients.signals import engagement_move_consequences, engagement_moved
        from followthrough.history.signals import records_changed

        from . import receivers
        from .services import refresh_on_records_changed

        records_changed.connect(refresh_on_records_changed, dispatch_uid="engine-refresh")
        engagement_moved.connect(receivers.refresh_after_move, dispatch_uid="engine-move")
        engagement_move_consequences.connect(receivers.open_flags_consequence, dispatch_uid="engine-move-preview")
