from django.apps import AppConfig


class EngineConfig(AppConfig):
    name = "followthrough.engine"
    verbose_name = "Follow-through engine"

    def ready(self):
        from followthrough.history.signals import records_changed

        from .services import refresh_on_records_changed

        records_changed.connect(refresh_on_records_changed, dispatch_uid="engine-refresh")
