"""The coach's to-do: what is waiting on the coach, one list with a link per item.

A selector read by the caseload, the to-do page and `GET /api/todo`, so all three list the
same things. Each kind is one query, capped at `limit` items (plus one, to know there are
more), so the list costs the same number of queries however big the caseload.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from followthrough.clients.models import Agreement, Engagement
from followthrough.commitments.models import Commitment
from followthrough.meetings.models import Meeting
from followthrough.protocol.models import Referral

# What each kind is called, in the order the page explains them.
KINDS = {
    "meeting_summary": "Meeting without a summary",
    "meeting_review": "Meeting not reviewed",
    "reported_done": "Reported done, to confirm",
    "check_back": "Check back",
    "agreement": "Agreement not acknowledged",
    "referral_in": "Referral to answer",
    "referral_out": "Referral awaiting an answer",
}
TODO_LIMIT = 10
# Named states rather than "not ended", so the coach's (coach, state) index finds the engagements.
OPEN_STATES = [Engagement.State.ACTIVE, Engagement.State.PAUSED, Engagement.State.REFERRED_OUT]


@dataclass(frozen=True)
class TodoItem:
    kind: str
    since: date
    client_uid: str
    client_name: str
    text: str
    url: str
    record_uid: str

    @property
    def label(self):
        return KINDS[self.kind]


@dataclass(frozen=True)
class Todo:
    items: list
    more: bool  # some kind had more than the limit: the to-do page shows them all

    def __len__(self):
        return len(self.items)


def _day(moment):
    return moment.date() if isinstance(moment, datetime) else moment


def coach_todo(coach, user, *, limit=TODO_LIMIT):
    """Everything waiting on `coach`, oldest first: five queries whatever the caseload."""
    today = coach.practice.today()
    mine = {"engagement__coach": coach}
    groups = [
        _meetings(Meeting.objects.visible_to(user).filter(**mine), limit),
        _reported_done(Commitment.objects.visible_to(user).filter(**mine), limit),
        _check_backs(Engagement.objects.visible_to(user).filter(coach=coach), today, limit),
        _agreements(Agreement.objects.visible_to(user).filter(**mine), limit),
        _referrals(Referral.objects.visible_to(user), coach, limit),
    ]
    items, more = [], False
    for group, group_more in groups:
        items.extend(group)
        more = more or group_more
    items.sort(key=lambda item: (item.since, item.client_name, item.kind))
    return Todo(items=items, more=more)


def _capped(queryset, limit):
    rows = list(queryset[:limit + 1])
    return rows[:limit], len(rows) > limit


def _meetings(meetings, limit):
    """Held meetings of active engagements still missing the summary the client sees or the
    review of what was due: one item per meeting, naming what is missing."""
    rows, more = _capped(
        meetings.awaiting_coach().filter(engagement__state=Engagement.State.ACTIVE)
        .select_related("engagement__client").order_by("starts_at", "pk")
        .only("uid", "starts_at", "client_summary", "reviewed_at",
              "engagement__client__uid", "engagement__client__full_name"), limit)
    items = []
    for meeting in rows:
        client = meeting.engagement.client
        when = f"{meeting.starts_at:%-d %b}"
        if meeting.reviewed_at is None:
            missing = "no review" + (" and no summary" if not meeting.client_summary else "")
            kind, url = "meeting_review", reverse("meeting_review", args=[meeting.uid])
        else:
            missing, kind, url = "no summary", "meeting_summary", reverse("meeting_update", args=[meeting.uid])
        items.append(TodoItem(kind, _day(meeting.starts_at), str(client.uid), client.full_name,
                              f"Meeting of {when}: {missing} yet.", url, str(meeting.uid)))
    return items, more


def _reported_done(commitments, limit):
    rows, more = _capped(
        commitments.reported_done().filter(engagement__state__in=OPEN_STATES)
        .select_related("engagement__client").order_by("client_reported_done_at", "pk")
        .only("uid", "description", "client_reported_done_at",
              "engagement__uid", "engagement__client__uid", "engagement__client__full_name"), limit)
    items = []
    for commitment in rows:
        client = commitment.engagement.client
        url = (reverse("client_file", args=[client.uid])
               # Every meeting: the commitment may be older than the timeline's newest.
               + f"?engagement={commitment.engagement.uid}&meetings=all#c-{commitment.uid}")
        items.append(TodoItem("reported_done", _day(commitment.client_reported_done_at), str(client.uid),
                              client.full_name, f"Says “{_short(commitment.description)}” is done: "
                                                "confirm it at the next review.", url, str(commitment.uid)))
    return items, more


def _check_backs(engagements, today, limit):
    rows, more = _capped(
        engagements.filter(state=Engagement.State.PAUSED, check_back_on__lte=today)
        .select_related("client").order_by("check_back_on", "pk")
        .only("uid", "check_back_on", "client__uid", "client__full_name"), limit)
    return [TodoItem("check_back", e.check_back_on, str(e.client.uid), e.client.full_name,
                     f"Paused until {e.check_back_on:%-d %b %Y}: time to check back.",
                     reverse("engagement_move", args=[e.uid]), str(e.uid)) for e in rows], more


def _agreements(agreements, limit):
    """The current version of each open engagement's agreement, while it is unacknowledged."""
    newer = Agreement.objects.filter(engagement=OuterRef("engagement"), version__gt=OuterRef("version"))
    rows, more = _capped(
        agreements.filter(acknowledged_at=None, engagement__state__in=OPEN_STATES)
        .exclude(Exists(newer)).select_related("engagement__client").order_by("created_at", "pk")
        .only("uid", "version", "created_at", "engagement__client__uid", "engagement__client__full_name"),
        limit)
    return [TodoItem("agreement", _day(a.created_at), str(a.engagement.client.uid), a.engagement.client.full_name,
                     f"Agreement version {a.version} is not acknowledged yet.",
                     reverse("agreement_acknowledge", args=[a.uid]), str(a.uid)) for a in rows], more


def _referrals(referrals, coach, limit):
    """Offered referrals: those this coach is to answer, and those they made still unanswered."""
    rows, more = _capped(
        referrals.filter(status=Referral.Status.OFFERED)
        .filter(Q(to_coach=coach) | Q(from_engagement__coach=coach))
        .select_related("from_engagement__client", "to_coach", "focus_area").order_by("created_at", "pk")
        .only("uid", "created_at", "to_coach__display_name", "focus_area__name",
              "from_engagement__coach_id", "from_engagement__client__uid", "from_engagement__client__full_name"),
        limit)
    items = []
    for referral in rows:
        client = referral.from_engagement.client
        if referral.to_coach_id == coach.pk:
            kind, text = "referral_in", f"Referred to you for {referral.focus_area.name}: accept or decline."
        else:
            kind, text = "referral_out", (f"Referred to {referral.to_coach.display_name} for "
                                          f"{referral.focus_area.name}: no answer yet.")
        items.append(TodoItem(kind, _day(referral.created_at), str(client.uid), client.full_name, text,
                              reverse("protocol:referral", args=[referral.uid]), str(referral.uid)))
    return items, more


def _short(text, length=60):
    text = " ".join(text.split())
    return text if len(text) <= length else text[:length - 1] + "…"
