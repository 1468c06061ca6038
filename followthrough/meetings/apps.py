from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "followthrough.meetings"

    def ready(self):
        from followthrough.clients.signals import engagement_move_consequences, engagement_moved

        from . import receivers

        engagement_moved.connect(receivers.close_planned_meetings, dispatch_uid="meetings-move")
        engagement_move_consequences.connect(receivers.planned_meetings_consequence,
                                             dispatch_uid="meetings-move-preview")
