"""One event of the file's history as a sentence a coach reads ("Ana marked “Call three
former clients” missed — the client said “work took over”"). The raw before/after stays
one click away on the page for an auditor; this is only the reading of it."""

from django.utils import dateformat, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import Truncator

OUTCOMES = {"kept": "kept", "partly_kept": "partly kept", "missed": "missed", "waived": "waived",
            "withdrawn": "withdrawn", "open": "open"}
STATES = {"active": "active", "paused": "paused", "referred_out": "referred out", "ended": "ended"}
MEETING_STATUS = {"planned": "planned", "held": "held", "no_show": "no-show", "cancelled": "cancelled"}


def _quote(text, limit=90):
    return f"“{Truncator(' '.join(str(text).split())).chars(limit)}”"


def _day(value):
    if not value:
        return ""
    moment = parse_datetime(value) if isinstance(value, str) and "T" in value else None
    if moment is not None:
        return dateformat.format(timezone.localtime(moment), "j M Y, H:i")
    day = parse_date(value) if isinstance(value, str) else None
    return dateformat.format(day, "j M Y") if day else str(value)


def _commitment(who, action, record):
    thing = _quote(record.get("description", "an action"))
    if action == "commitment.created":
        return f"{who} agreed a new action: {thing}, due {_day(record.get('due_on'))}"
    if action == "commitment.reviewed":
        outcome = OUTCOMES.get(record.get("outcome"), record.get("outcome"))
        share = record.get("kept_fraction")
        text = f"{who} marked {thing} {outcome}"
        if outcome == "partly kept" and share not in (None, ""):
            text += f" ({round(float(share) * 100)}% done)"
        if record.get("client_reason"):
            text += f" — the client said {_quote(record['client_reason'], 140)}"
        return text
    if action == "commitment.client_reported_done":
        note = f": {_quote(record['client_report_note'], 140)}" if record.get("client_report_note") else ""
        return f"{who} said {thing} is done{note}"
    if action == "commitment.client_report_undone":
        return f"{who} took back “done” on {thing}"
    if action == "commitment.plan_answered":
        return f"{who} planned {thing} for {_day(record.get('planned_at'))}"
    if action == "commitment.withdrawn":
        return f"{thing} was withdrawn as the engagement moved on"
    if action == "commitment.waived_for_break":
        return f"{thing} was waived: {record.get('client_reason') or 'a planned break'}"
    if action == "commitment.reopened_break_cancelled":
        return f"{thing} is open again, as its planned break was cancelled"
    return None


def _other(who, action, record):
    if action == "meeting.created":
        status = MEETING_STATUS.get(record.get("status"), record.get("status"))
        return f"{who} recorded a {status} meeting on {_day(record.get('starts_at'))}"
    if action in ("meeting.updated", "meeting.reviewed"):
        verb = "reviewed" if action == "meeting.reviewed" else "updated"
        return f"{who} {verb} the meeting of {_day(record.get('starts_at'))}"
    if action == "agreement.created":
        version = record.get("version")
        if version in (1, None):
            return f"{who} wrote the agreement"
        return f"{who} wrote version {version} of the agreement"
    if action == "agreement.acknowledged":
        name = record.get("acknowledged_name") or who
        return f"{name} acknowledged version {record.get('version')} of the agreement"
    if action in ("planned_break.recorded", "planned_break.cancelled"):
        verb = "recorded" if action == "planned_break.recorded" else "cancelled"
        return (f"{who} {verb} a planned break ({record.get('reason', '')}) from {_day(record.get('starts_on'))} "
                f"to {_day(record.get('ends_on'))}")
    if action == "goal.created":
        return f"{who} added the goal {_quote(record.get('title', ''))}"
    if action == "client.created":
        return f"{who} added {record.get('full_name', 'the client')} as a client"
    if action in ("engagement.started", "engagement.moved"):
        state = STATES.get(record.get("state"), record.get("state"))
        if action == "engagement.started":
            return f"{who} started the engagement"
        return f"{who} set the engagement to {state}"
    return None


def sentence(event):
    who = event.actor_label or "Followthrough"
    record = event.after or event.before or {}
    text = _commitment(who, event.action, record) or _other(who, event.action, record)
    if text is None:
        text = f"{who}: {event.action.replace('.', ' — ', 1).replace('_', ' ')}"
    return text
