from django.apps import AppConfig


class TransferConfig(AppConfig):
    name = "followthrough.transfer"
    label = "transfer"
    verbose_name = "Import, export, hand-off and backup"
