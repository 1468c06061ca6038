from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def _install_guards(sender, using="default", **kwargs):
    from .guards import install

    install(connections[using])


class HistoryConfig(AppConfig):
    name = "followthrough.history"
    verbose_name = "History"

    def ready(self):
        from . import checks  # noqa: F401 - registers the deploy check

        # After every migrate (and every flush): SQLite loses a table's triggers when
        # Django rebuilds the table to alter it.
        post_migrate.connect(_install_guards, sender=self, dispatch_uid="followthrough.history.guards")
