from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "followthrough.notifications"
    verbose_name = "Reminders and digests"
