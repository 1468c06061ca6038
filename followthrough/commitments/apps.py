from django.apps import AppConfig


class CommitmentsConfig(AppConfig):
    name = "followthrough.commitments"

    def ready(self):
        from followthrough.clients.signals import engagement_move_consequences, engagement_moved

        from . import receivers

        engagement_moved.connect(receivers.withdraw_open_commitments, dispatch_uid="commitments-move")
        engagement_move_consequences.connect(receivers.open_commitments_consequence,
                                             dispatch_uid="commitments-move-preview")
