from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "followthrough.notifications"
    verbose_name = "Reminders and digests"

    def ready(self):
        from django.db.models.signals import post_save

        from followthrough.clients.signals import engagement_move_consequences, engagement_moved
        from followthrough.history.models import Event
        from followthrough.history.signals import records_changed

        from . import activity, invitations, meeting_reminders, receivers

        post_save.connect(activity.on_event, sender=Event, dispatch_uid="notifications-client-activity")
        # A meeting recorded held queues its meeting check invitation.
        records_changed.connect(invitations.queue_on_records_changed, dispatch_uid="notifications-check-invitation")

        engagement_moved.connect(receivers.cancel_pending_reminders, dispatch_uid="notifications-move")
        engagement_moved.connect(meeting_reminders.cancel_meeting_reminders, dispatch_uid="notifications-move-meetings")
        engagement_move_consequences.connect(receivers.pending_reminders_consequence,
                                             dispatch_uid="notifications-move-preview")
