from django.apps import AppConfig


class HistoryConfig(AppConfig):
    name = "followthrough.history"
    verbose_name = "History"
