from django.apps import AppConfig


class CommitmentsConfig(AppConfig):
    name = "followthrough.commitments"

    def ready(self):
        from followthrough.clients.signals import (
            engagement_move_consequences,
            engagement_moved,
            planned_break_cancelled,
            planned_break_recorded,
        )

        from . import receivers

        engagement_moved.connect(receivers.withdraw_open_commitments, dispatch_uid="commitments-move")
        engagement_move_consequences.connect(receivers.open_commitments_consequence,
                                             dispatch_uid="commitments-move-preview")
        planned_break_recorded.connect(receivers.waive_for_break, dispatch_uid="commitments-break")
        planned_break_cancelled.connect(receivers.reopen_after_break_cancelled,
                                        dispatch_uid="commitments-break-cancelled")
