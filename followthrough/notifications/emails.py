"""The messages themselves: a plain-text and an HTML part from templates, with a link that
opens the right page (the portal for clients, the client's file for coaches)."""

from collections import OrderedDict
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from followthrough.clients.models import LapseReminders
from followthrough.meetings.checks import check_url, one_tap_links

from .calendar_invitations import attach_plan_invitation
from .models import Reminder
from .replies import reply_address


def portal_commitment_url(commitment):
    return f"{settings.SITE_URL}/me/commitments/{commitment.uid}/"


def client_file_url(client):
    return f"{settings.SITE_URL}/clients/{client.uid}/"


def _short(text, limit=60):
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _message(*, subject, to, template, context, reply_to=None):
    text = render_to_string(f"notifications/emails/{template}.txt", context)
    html = render_to_string(f"notifications/emails/{template}.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL,
                                     to=[to], reply_to=reply_to or None)
    message.attach_alternative(html, "text/html")
    return message


# The subject of each reminder kind, by the firmness the client chose in the lapse plan.
SUBJECTS = {
    LapseReminders.QUIET: {Reminder.Kind.ON_DAY: "A gentle reminder: {what}"},
    LapseReminders.NORMAL: {Reminder.Kind.BEFORE: "Coming up: {what}", Reminder.Kind.ON_DAY: "Due today: {what}",
                            Reminder.Kind.OVERDUE: "Still open: {what}"},
    LapseReminders.FIRM: {Reminder.Kind.BEFORE: "Due {due}: {what}", Reminder.Kind.ON_DAY: "Due today: {what}",
                          Reminder.Kind.OVERDUE: "Overdue: {what}"},
}


def _replies_to(kind, row, coach):
    """The signed reply address when FT_REPLY_ADDRESS is set, else the coach, as before."""
    address = reply_address(kind, row.pk)
    if address:
        return [address]
    return [coach.user.email] if coach.user.email else None


def reminder_message(reminder, *, tone=LapseReminders.NORMAL):
    """`tone`: the lapse plan's `lapse_reminders` of the agreement the reminder follows."""
    commitment = reminder.commitment
    client = commitment.engagement.client
    coach = commitment.engagement.coach
    planned_day = None
    if commitment.planned_at is not None and reminder.kind == Reminder.Kind.BEFORE:
        local_plan = commitment.planned_at.astimezone(ZoneInfo(client.timezone)).date()
        if local_plan < commitment.due_on:
            planned_day = local_plan
    what = _short(commitment.description)
    subjects = SUBJECTS.get(tone, SUBJECTS[LapseReminders.NORMAL])
    subject = subjects.get(reminder.kind, SUBJECTS[LapseReminders.NORMAL][reminder.kind])
    subject = subject.format(what=what, due=f"{commitment.due_on:%A} {commitment.due_on.day} {commitment.due_on:%B}")
    context = {
        "kind": reminder.kind,
        "tone": tone,
        "reply_by_email": bool(settings.FT_REPLY_ADDRESS),
        "client_name": client.greeting_name,
        "coach_name": coach.display_name,
        "description": commitment.description,
        "due_on": commitment.due_on,
        "planned_day": planned_day,
        "minutes_needed": commitment.minutes_needed,
        "tools_needed": commitment.tools_needed,
        "link": portal_commitment_url(commitment),
    }
    message = _message(subject=subject, to=client.email, template="reminder", context=context,
                       reply_to=_replies_to("reminder", reminder, coach))
    return attach_plan_invitation(message, commitment)


def invitation_message(invitation):
    """The meeting check invitation: the four questions, each with one-tap links 0-10."""
    meeting = invitation.meeting
    client = meeting.engagement.client
    coach = meeting.engagement.coach
    context = {
        "client_name": client.greeting_name,
        "coach_name": coach.display_name,
        "met_on": meeting.starts_at.astimezone(ZoneInfo(client.timezone)).date(),
        "questions": [{"name": name, "wording": wording, "links": links}
                      for name, wording, links in one_tap_links(meeting)],
        "link": check_url(meeting),
        "reply_by_email": bool(settings.FT_REPLY_ADDRESS),
    }
    return _message(subject=f"Four quick questions about your meeting with {coach.display_name}",
                    to=client.email, template="check_invitation", context=context,
                    reply_to=_replies_to("invitation", invitation, coach))


def digest_message(digest, items):
    """`items`: DigestItems whose commitments are still open, with engagement and client loaded."""
    clients = OrderedDict()
    for item in sorted(items, key=lambda i: (i.commitment.engagement.client.full_name, i.due_on)):
        client = item.commitment.engagement.client
        entry = clients.setdefault(client.pk, {"name": client.full_name, "link": client_file_url(client),
                                               "commitments": []})
        entry["commitments"].append({"description": item.commitment.description, "due_on": item.due_on})
    count = len(items)
    people = len(clients)
    subject = (f"{count} commitment{'s' if count != 1 else ''} became overdue "
               f"({people} client{'s' if people != 1 else ''})")
    context = {"coach_name": digest.coach.display_name.split()[0], "on_date": digest.on_date,
               "clients": list(clients.values()), "count": count}
    return _message(subject=subject, to=digest.coach.user.email, template="digest", context=context)
