from django.apps import AppConfig


class EngineConfig(AppConfig):
    name = "followthrough.engine"
    verbose_name = "Follow-through engine"
