"""What clients did, told to their coach: in the app at once, by email as the coach chose.

The portal's writes already go into the event log, so this listens to new events rather
than to each app: a client acknowledging an agreement, answering a plan, marking a
commitment done or taking that back. Only the client's own actions count; a coach
recording an acknowledgement on the client's behalf does not tell the coach.
"""

import logging
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from followthrough.clients.models import Agreement, Client
from followthrough.commitments.models import Commitment
from followthrough.protocol.models import Notification
from followthrough.ui import mail

from .emails import _message, _short
from .models import ActivityDigest, ClientActivity

log = logging.getLogger(__name__)

COMMITMENT = "commitments.commitment"
AGREEMENT = "clients.agreement"


def _kind(event):
    if event.object_type == AGREEMENT and event.action == "agreement.acknowledged":
        return ClientActivity.Kind.ACKNOWLEDGED
    if event.object_type != COMMITMENT:
        return None
    if event.action == "commitment.plan_answered":
        return ClientActivity.Kind.PLAN_ANSWERED
    if event.action == "commitment.client_reported_done":
        return ClientActivity.Kind.REPORTED_DONE
    before, after = event.before or {}, event.after or {}
    if before.get("client_reported_done_at") and not after.get("client_reported_done_at"):
        return ClientActivity.Kind.REPORT_UNDONE
    return None


def on_event(sender, instance, created, **kwargs):
    """post_save of an Event: note a client's action once the write has committed."""
    if not created or instance.actor_id is None or not instance.client_uid:
        return
    kind = _kind(instance)
    if kind is not None:
        transaction.on_commit(lambda: activity_record(instance, kind), robust=True)


def _describe(event, kind, client):
    if kind == ClientActivity.Kind.ACKNOWLEDGED:
        agreement = Agreement.objects.select_related("engagement__coach__user").get(uid=event.object_uid)
        return agreement.engagement.coach, f"{client.full_name} acknowledged agreement version {agreement.version}"
    commitment = Commitment.objects.select_related("engagement__coach__user").get(uid=event.object_uid)
    what = f"“{_short(commitment.description)}”"
    text = {
        ClientActivity.Kind.PLAN_ANSWERED: f"{client.full_name} answered the plan for {what}",
        ClientActivity.Kind.REPORTED_DONE: f"{client.full_name} marked {what} done",
        ClientActivity.Kind.REPORT_UNDONE: f"{client.full_name} took back marking {what} done",
    }[kind]
    return commitment.engagement.coach, text


def activity_record(event, kind):
    client = Client.objects.filter(uid=event.client_uid).first()
    if client is None or client.user_id is None or client.user_id != event.actor_id:
        return None
    coach, text = _describe(event, kind, client)
    return activity_note(coach=coach, client=client, kind=kind, text=text, event_seq=event.seq)


def activity_note(*, coach, client, kind, text, event_seq=None):
    """Tell the coach in the app, and by email as they chose; once per event."""
    link = reverse("client_file", args=[client.uid])
    try:
        with transaction.atomic():
            activity = ClientActivity.objects.create(coach=coach, kind=kind, text=text[:300], link=link,
                                                     event_seq=event_seq)
            Notification.objects.create(coach=coach, text=text[:300], link=link)
    except IntegrityError:
        return None  # already told
    if coach.email_preference == coach.EmailPreference.AT_ONCE and coach.user.email:
        _send_at_once(activity)
    return activity


def _send_at_once(activity):
    message = _message(subject=f"Followthrough: {activity.text}", to=activity.coach.user.email,
                       template="activity", context={"coach_name": activity.coach.display_name.split()[0],
                                                     "items": [_item(activity)], "on_date": None})
    try:
        mail.send(message)
    except Exception:  # the client's action stands; the coach still sees it in the app
        log.exception("emailing activity %s failed", activity.pk)
        return
    ClientActivity.objects.filter(pk=activity.pk).update(emailed_at=activity.at)


def _item(activity):
    return {"text": activity.text, "at": activity.at, "link": settings.SITE_URL + activity.link}


def activity_digests_prepare(*, now, digest_time):
    """Create today's activity digest for each coach on the daily digest with news; returns how many."""
    pending = (ClientActivity.objects.filter(digest=None, emailed_at=None, at__lte=now,
                                             coach__is_active=True,
                                             coach__email_preference="daily")
               .exclude(coach__user__email="")
               .values_list("coach_id", "coach__practice__timezone", "pk"))
    by_coach = defaultdict(list)
    zones = {}
    for coach_id, zone, pk in pending:
        by_coach[coach_id].append(pk)
        zones[coach_id] = zone
    prepared = 0
    for coach_id, pks in by_coach.items():
        local = now.astimezone(ZoneInfo(zones[coach_id]))
        if (local.hour, local.minute) < digest_time:
            continue
        try:
            with transaction.atomic():
                digest = ActivityDigest.objects.create(coach_id=coach_id, on_date=local.date(), send_at=now)
                ClientActivity.objects.filter(pk__in=pks, digest=None).update(digest=digest)
        except IntegrityError:
            continue  # today's digest exists: these wait for tomorrow's
        prepared += 1
    return prepared


def activity_digest_message(digest, items):
    count = len(items)
    return _message(
        subject=f"What your clients did: {count} update{'s' if count != 1 else ''}",
        to=digest.coach.user.email, template="activity",
        context={"coach_name": digest.coach.display_name.split()[0], "on_date": digest.on_date,
                 "items": [_item(a) for a in items]})


def send_activity_digests(run, pks, *, deliver, cancel):
    rows = ActivityDigest.objects.filter(pk__in=pks).select_related("coach__user")
    items = defaultdict(list)
    for activity in ClientActivity.objects.filter(digest_id__in=pks).order_by("at", "pk"):
        items[activity.digest_id].append(activity)
    for digest in rows:
        if not items[digest.pk]:
            cancel(run, ActivityDigest, digest.pk, "nothing_left")
        else:
            deliver(run, ActivityDigest, digest, "activity",
                    lambda d=digest: activity_digest_message(d, items[d.pk]))
