"""Clients' replies to reminders and meeting check invitations, recorded as their report.

Each message read is recorded once, as an InboundMessage keyed by its Message-ID (or, for
a message without one, a hash of its token and body), in the same transaction as what it
applies: a second read finds the key taken and applies nothing. A reply is applied only
when its Reply-To token is genuine, current and names a message we sent, and its first
lines say "done", "not yet" or, to a meeting check invitation, four numbers; anything
else is set aside: stored with the reason, counted, shown in the admin, never applied.

What each reply does:
- "done" to a reminder: the client's report that the commitment is done, through the
  commitments app's own rule (`commitment_client_report`, via "email_reply"), with any
  further lines as the note for the coach.
- "not yet" to a reminder: changes no record; the coach is told in the app (and by email
  as they chose) with the client's words, as a ClientActivity "not yet".
- four numbers to an invitation: the client's meeting check, through
  `meeting_check_record(..., via="email_reply")`.
"""

import hashlib
from dataclasses import asdict, dataclass, field
from email import policy
from email.parser import BytesParser
from email.utils import parseaddr

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from followthrough.commitments.services import commitment_client_report
from followthrough.history.models import Event
from followthrough.meetings.services import meeting_check_record

from .activity import activity_note
from .emails import _short
from .models import CheckInvitation, ClientActivity, InboundMessage, Reminder
from .replies import read_token, token_in
from .reply_text import html_to_text, own_lines, read_reply

Reason = InboundMessage.Reason


@dataclass
class InboxSummary:
    source: str
    read: int = 0
    applied: int = 0
    set_aside: int = 0
    already_recorded: int = 0
    lines: list = field(default_factory=list)  # one plain line per message applied or set aside

    def as_dict(self):
        return asdict(self)


class SetAside(Exception):
    def __init__(self, reason, detail=""):
        super().__init__(detail or reason)
        self.reason, self.detail = reason, detail


def _body(message):
    part = message.get_body(preferencelist=("plain",))
    if part is not None:
        return part.get_content()
    part = message.get_body(preferencelist=("html",))
    return html_to_text(part.get_content()) if part is not None else ""


def _parse(raw):
    """The parsed message and its text body; a message that cannot be decoded has no body."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    try:
        body = _body(message)
    except (LookupError, ValueError, KeyError):
        body = ""
    return message, body


def message_key(message, token, body):
    message_id = " ".join(str(message.get("message-id") or "").split())
    if message_id:
        return f"mid:{message_id}"[:300]
    return "hash:" + hashlib.sha256(f"{token}\n{body}".encode()).hexdigest()


def reply_record(raw, *, source):
    """Record one message from the mailbox; returns its InboundMessage, or None if it was
    recorded before."""
    message, body = _parse(raw)
    token_text = token_in(message)
    key = message_key(message, token_text, body)
    if InboundMessage.objects.filter(key=key).exists():
        return None
    meaning = read_reply(body)
    row = InboundMessage(
        key=key, message_id=str(message.get("message-id") or "")[:300], source=source[:300],
        from_address=parseaddr(str(message.get("from") or ""))[1][:254],
        subject=" ".join(str(message.get("subject") or "").split())[:300], token=token_text[:100],
        meaning=meaning.meaning, reply_text="\n".join(own_lines(body))[:2000],
    )
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    _apply(row, token_text, meaning)
                row.status = InboundMessage.Status.APPLIED
            except SetAside as aside:
                row.status, row.reason, row.detail = InboundMessage.Status.SET_ASIDE, aside.reason, aside.detail[:300]
            row.save()
            if row.reason == Reason.UNREADABLE and (row.reminder or row.invitation):
                _tell_coach_unreadable(row)
    except IntegrityError:
        return None  # another reader recorded it a moment ago; what it applied is undone here
    return row


def _apply(row, token_text, meaning):
    if not token_text:
        raise SetAside(Reason.NO_TOKEN, "no reply token in the address it was sent to")
    token = read_token(token_text)
    if token.problem:
        raise SetAside(token.problem, f"the reply token is {token.problem}")
    if token.kind == "reminder":
        reminder = (Reminder.objects.select_related("commitment__engagement__client__user",
                                                    "commitment__engagement__coach")
                    .filter(pk=token.pk).first())
        if reminder is None:
            raise SetAside(Reason.UNKNOWN, "the reminder it answers no longer exists")
        row.reminder = reminder
        _apply_to_reminder(reminder, meaning)
    else:
        invitation = (CheckInvitation.objects.select_related("meeting__engagement__client__user")
                      .filter(pk=token.pk).first())
        if invitation is None:
            raise SetAside(Reason.UNKNOWN, "the meeting check invitation it answers no longer exists")
        row.invitation = invitation
        _apply_to_invitation(invitation, meaning)


def _refused(error):
    return SetAside(Reason.REFUSED, " ".join(error.messages))


def _apply_to_reminder(reminder, meaning):
    commitment = reminder.commitment
    client = commitment.engagement.client
    what = f"“{_short(commitment.description)}”"
    if not meaning.meaning:
        raise SetAside(Reason.UNREADABLE, "the first line is not “done” or “not yet”")
    if meaning.meaning == "check":
        raise SetAside(Reason.UNREADABLE, "numbers in reply to a reminder, not to a meeting check invitation")
    if meaning.meaning == "done":
        try:
            commitment_client_report(commitment=commitment, by=client.user, note=meaning.note, via="email_reply")
        except ValidationError as error:
            raise _refused(error) from None
        event = (Event.objects.filter(object_uid=str(commitment.uid), action="commitment.client_reported_done")
                 .order_by("-seq").values_list("seq", flat=True).first())
        activity_note(coach=commitment.engagement.coach, client=client, kind=ClientActivity.Kind.REPORTED_DONE,
                      text=f"{client.full_name} replied “done” to the reminder for {what}", event_seq=event)
        return
    if not commitment.is_open:
        raise SetAside(Reason.REFUSED, "This action was already reviewed with the coach.")
    words = f": {_short(meaning.note, 120)}" if meaning.note else ""
    activity_note(coach=commitment.engagement.coach, client=client, kind=ClientActivity.Kind.NOT_YET,
                  text=f"{client.full_name} replied “not yet” to the reminder for {what}{words}")


def _apply_to_invitation(invitation, meaning):
    if meaning.meaning != "check":
        raise SetAside(Reason.UNREADABLE, "a meeting check reply needs four numbers 0–10, e.g. 8 7 9 6")
    meeting = invitation.meeting
    try:
        meeting_check_record(meeting=meeting, answers=meaning.answers, via="email_reply",
                             by=meeting.engagement.client.user)
    except ValidationError as error:
        raise _refused(error) from None


def _tell_coach_unreadable(row):
    """A genuine reply the product cannot read is the client talking: their coach reads it."""
    if row.reminder is not None:
        engagement = row.reminder.commitment.engagement
        about = f"the reminder for “{_short(row.reminder.commitment.description)}”"
    else:
        engagement = row.invitation.meeting.engagement
        about = "the meeting check invitation"
    words = _short(row.reply_text, 120) if row.reply_text else "(no text)"
    activity_note(coach=engagement.coach, client=engagement.client, kind=ClientActivity.Kind.REPLIED,
                  text=f"{engagement.client.full_name} replied to {about} (not recorded): {words}")


def inbox_read(source):
    """Read every unseen message in `source` once; returns what was applied and set aside."""
    summary = InboxSummary(source=source.name)
    for raw, mark_seen in source.messages():
        summary.read += 1
        row = reply_record(raw, source=source.name)
        if row is None:
            summary.already_recorded += 1
        elif row.status == InboundMessage.Status.APPLIED:
            summary.applied += 1
            summary.lines.append(f"applied: {row.get_meaning_display().lower()} from {row.from_address}")
        else:
            summary.set_aside += 1
            summary.lines.append(f"set aside ({row.get_reason_display().lower()}): "
                                 f"from {row.from_address or 'unknown'}, {row.detail}")
        mark_seen()
    return summary
