"""Erasing a client where the law requires it (GDPR Art. 17), by crypto-shredding.

Every snapshot of the client's personal fields in the event log is sealed under their own
key (history.sealing). Erasing scrubs the live rows through the log, removes what is not
evidence (sign-in links, feeds, queued mail, cached API replies, sessions), and then
destroys the key: the sealed snapshots stay, every hash still matches, nothing of the
person can be read. docs/erasure.md has the design and why.
"""

from datetime import timedelta
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q

from followthrough.accounts.models import PortalLink, SignedInSession, ThrottleHit
from followthrough.calendars.models import CalendarFeed
from followthrough.clients.models import Client, Engagement, EngagementTransition
from followthrough.clients.services import engagement_end
from followthrough.history import clock, ledger, sealing
from followthrough.history.models import Event
from followthrough.history.services import (
    ERASED_BY_DELETION,
    erased_value,
    event_record,
    lock,
    tracked_update,
)
from followthrough.notifications.models import (
    CheckInvitation,
    ClientActivity,
    Delivery,
    DigestItem,
    InboundMessage,
    MeetingReminder,
    Reminder,
)
from followthrough.protocol.models import Notification
from followthrough.ui import mail

ERASED_ACTION = "client.erased"
RETENTION_REASON = "retention period over"
REASON_MAX = 300


def is_erased(client):
    return not sealing.key_exists(client.uid) and Event.objects.filter(
        client_uid=str(client.uid), action=ERASED_ACTION).exists()


def erased_uids(client_uids):
    """Which of these clients were erased (one query)."""
    return set(Event.objects.filter(client_uid__in=[str(u) for u in client_uids], action=ERASED_ACTION)
               .values_list("client_uid", flat=True))


def what_is_erased(client):
    """For the confirmation page: what erasing this client removes, in counts."""
    engagements = Engagement.objects.filter(client=client)
    return {
        "engagements": engagements.count(),
        "meetings": apps.get_model("meetings", "Meeting").objects.filter(engagement__client=client).count(),
        "commitments": apps.get_model("commitments", "Commitment").objects.filter(engagement__client=client).count(),
        "letters": apps.get_model("protocol", "Letter").objects.filter(engagement__client=client).count(),
        "has_portal_account": client.user_id is not None,
        "open_engagements": engagements.exclude(state=Engagement.State.ENDED).count(),
    }


def _clean_reason(reason):
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Say why this client is erased (e.g. their request of 3 March, "
                                          "or the retention period is over); the log keeps it."]})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": [f"Keep the reason under {REASON_MAX} characters."]})
    return reason


def require_admin(by, client):
    coach = getattr(by, "coach", None) if by is not None else None
    if coach is None or not coach.is_active or not coach.is_practice_admin or coach.practice_id != client.practice_id:
        raise ValidationError({"client": ["Only a practice admin of the client's practice can erase a client."]})


def client_erase(*, client, reason, by, replay=False):
    """Erase `client`, in one transaction; `replay` is the ledger's replay after a restore
    (the system acts; no admin to check)."""
    reason = _clean_reason(reason)
    if not replay:
        require_admin(by, client)
    with transaction.atomic():
        client = lock(client)
        if not replay and not sealing.key_exists(client.uid) and is_erased(client):
            raise ValidationError({"client": ["This client was already erased."]})
        uid = str(client.uid)
        user, email, name = client.user, client.email, client.full_name
        event_record(by=by, action=ERASED_ACTION, obj=client, before=client.snapshot(),
                     after={"reason": reason, **client.snapshot()})
        _end_open_engagements(client, by)
        _delete_feeds(client, by)
        scrubbed = _scrub_records(uid, by)
        _remove_operational(client, user, email, name, uid)
        sealing.destroy(uid)
        erased_at = clock.now()
        if not replay:
            transaction.on_commit(lambda: ledger.append(uid, erased_at))
    return scrubbed


def _end_open_engagements(client, by):
    """Nobody is coached after their erasure: an open engagement ends through the usual move,
    which cancels planned meetings, withdraws open commitments, clears flags and closes an
    open intervention. Mail it would send is held back: there is no one to send it to."""
    with mail.held_back():
        for engagement in Engagement.objects.filter(client=client).exclude(state=Engagement.State.ENDED):
            engagement_end(engagement=engagement, by=by, note="The client's data was erased.")


def _delete_feeds(client, by):
    for feed in CalendarFeed.objects.filter(client=client):
        event_record(by=by, action="calendar_feed.deleted", obj=feed, before=feed.snapshot())
        feed.delete()


def _scrub_records(client_uid, by):
    """Every record filed under the client with personal fields, scrubbed through the log
    (so `verify` sees each scrub as the change it is); the records are found through the
    log itself, so a record type added later is scrubbed without changes here."""
    personal = sealing.personal_fields_by_type()
    uids_by_type = {}
    for object_type, object_uid in (Event.objects.filter(client_uid=client_uid, object_type__in=list(personal))
                                    .values_list("object_type", "object_uid").distinct()):
        uids_by_type.setdefault(object_type, set()).add(object_uid)
    count = 0
    for object_type, uids in uids_by_type.items():
        model = apps.get_model(object_type)
        names = personal[object_type]
        deleted = any(erased_value(model, name) is ERASED_BY_DELETION for name in names)
        for obj in model._default_manager.filter(uid__in=list(uids)).order_by("pk"):
            if deleted:
                event_record(by=by, action=f"{model._meta.model_name}.deleted", obj=obj, before=obj.snapshot())
                obj.delete()
                count += 1
                continue
            changes = {name: erased_value(model, name) for name in names
                       if getattr(obj, name) != erased_value(model, name)}
            if changes:
                tracked_update(obj, by=by, action=f"{model._meta.model_name}.scrubbed", changes=changes,
                               validate=False)
                count += 1
    return count


def _remove_operational(client, user, email, name, client_uid):
    """What is not evidence and not hash-chained: deleted or emptied outright."""
    commitments = {"commitment__engagement__client": client}
    # Replies by email first: deleting a reminder would only unlink its replies.
    replies = Q(reminder__commitment__engagement__client=client) | Q(invitation__meeting__engagement__client=client)
    if email:
        replies |= Q(from_address__iexact=email)
    InboundMessage.objects.filter(replies).delete()
    CheckInvitation.objects.filter(meeting__engagement__client=client, sent_at__isnull=True).delete()
    Reminder.objects.filter(**commitments, sent_at__isnull=True).delete()
    MeetingReminder.objects.filter(meeting__engagement__client=client, sent_at__isnull=True).delete()
    DigestItem.objects.filter(**commitments).delete()
    deliveries = (Q(reminder__commitment__engagement__client=client)
                  | Q(meeting_reminder__meeting__engagement__client=client)
                  | Q(invitation__meeting__engagement__client=client))
    if email:
        deliveries |= Q(to__iexact=email)
    Delivery.objects.filter(deliveries).delete()
    seqs = Event.objects.filter(client_uid=client_uid).values("seq")
    ClientActivity.objects.filter(event_seq__in=seqs).delete()
    if name:
        in_practice = {"coach__practice_id": client.practice_id, "text__contains": name}
        ClientActivity.objects.filter(**in_practice).delete()  # those from replies have no event
        Notification.objects.filter(**in_practice).delete()
    EngagementTransition.objects.filter(engagement__client=client).exclude(note="").update(note="")
    PortalLink.objects.filter(client=client).delete()
    if email:
        ThrottleHit.objects.filter(key__iexact=email).delete()
    _forget_replies([client_uid, email, name])
    if user is not None:
        _close_account(user, email)
    transaction.on_commit(lambda: _forget_mail_files([email, name]))


def _forget_mail_files(needles):
    """With the file mail backend (a test or demo set-up), the copies of sent mail it wrote."""
    if not settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
        return
    needles = [n.encode() for n in needles if n]
    folder = Path(settings.EMAIL_FILE_PATH)
    if not needles or not folder.is_dir():
        return
    for path in folder.iterdir():
        if path.is_file() and any(n in path.read_bytes() for n in needles):
            path.unlink(missing_ok=True)


def _forget_replies(needles):
    """Cached API replies (idempotency) that mention the client. They live in the api app,
    above this one, so the model is looked up by name."""
    model = apps.get_model("api", "IdempotentRequest")
    needles = [n.encode() for n in needles if n]
    stale = [pk for pk, body in model.objects.values_list("pk", "body").iterator()
             if any(n in bytes(body) for n in needles)]
    if stale:
        model.objects.filter(pk__in=stale).delete()


def _close_account(user, email):
    usernames = {user.get_username(), email} - {""}
    keys = list(SignedInSession.objects.filter(user=user).values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    SignedInSession.objects.filter(user=user).delete()
    for label in ("AccessAttempt", "AccessLog", "AccessFailureLog"):
        model = apps.get_model("axes", label)
        query = Q()
        for username in usernames:
            query |= Q(username__iexact=username)
        model.objects.filter(query).delete()
    account = get_user_model().objects.get(pk=user.pk)
    account.set_unusable_password()  # no sign-in of any kind
    get_user_model().objects.filter(pk=user.pk).update(
        is_active=False, email="", first_name="", last_name="", username=f"erased-{user.pk}",
        password=account.password)


def replay_ledger():
    """After a restore: erase again every client the ledger names whose key came back
    (a backup taken before their erasure). Returns the uids erased again."""
    again = []
    for entry in ledger.entries():
        client = Client.objects.filter(uid=entry.client_uid).first()
        if client is None or not sealing.key_exists(client.uid):
            continue
        client_erase(client=client, reason=f"erasure of {entry.erased_at:%Y-%m-%d} replayed after a restore",
                     by=None, replay=True)
        again.append(entry.client_uid)
    return again


def due_for_erasure(practice, *, today=None):
    """Clients of the practice whose every engagement has ended, the last more than
    FT_RECORD_RETENTION_YEARS ago, and who are not erased yet: offered, never erased
    automatically."""
    today = today or practice.today()
    cutoff = today - timedelta(days=round(365.25 * settings.RECORD_RETENTION_YEARS))
    clients = (Client.objects.filter(practice=practice)
               .exclude(engagements__state__in=[s for s in Engagement.State.values if s != Engagement.State.ENDED])
               .annotate(last_ended=Max("engagements__ended_on"))
               .filter(last_ended__lt=cutoff).order_by("last_ended", "pk"))
    clients = list(clients)
    erased = erased_uids([c.uid for c in clients])
    return [c for c in clients if str(c.uid) not in erased]
