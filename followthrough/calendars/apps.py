from django.apps import AppConfig


class CalendarsConfig(AppConfig):
    name = "followthrough.calendars"
    verbose_name = "Calendar feeds"
