"""The signed link a client answers a meeting check with, without signing in.

The token names the meeting and nothing else; it is the client's proof that the check
invitation was sent to them. It expires, and a meeting is checked once, so a forwarded
or old link can do no more than the client could have done themselves.
"""

from django.conf import settings
from django.core import signing

from .models import CHECK_HIGHEST, CHECK_LOWEST, CHECK_QUESTIONS, Meeting

CHECK_SALT = "followthrough.meetings.check"
CHECK_LINK_DAYS = 30


def check_token(meeting):
    return signing.dumps(str(meeting.uid), salt=CHECK_SALT, compress=True)


def check_url(meeting, *, question=None, answer=None):
    """The address of the meeting's check page; with `question` and `answer`, the page opens
    with that answer already chosen (the email's one-tap links)."""
    url = f"{settings.SITE_URL}/check/{check_token(meeting)}/"
    if question is not None:
        url += f"?{question}={answer}"
    return url


def one_tap_links(meeting):
    """For each question, its wording and the eleven links from 0 to 10."""
    return [
        (name, wording, [(value, check_url(meeting, question=name, answer=value))
                         for value in range(CHECK_LOWEST, CHECK_HIGHEST + 1)])
        for name, wording in CHECK_QUESTIONS.items()
    ]


def meeting_of_check_token(token):
    """The meeting a check link is for, or None when the link is forged, damaged or expired."""
    try:
        uid = signing.loads(token, salt=CHECK_SALT, max_age=CHECK_LINK_DAYS * 24 * 3600)
    except signing.BadSignature:
        return None
    return Meeting.objects.select_related("engagement__client", "engagement__coach").filter(uid=uid).first()


def check_link_state(token):
    """("ok", meeting), ("expired", None) or ("forged", None): an expired link is told
    apart from a forged one only to say so in words; neither names a meeting."""
    meeting = meeting_of_check_token(token)
    if meeting is not None:
        return "ok", meeting
    try:
        signing.loads(token, salt=CHECK_SALT)
    except signing.BadSignature:
        return "forged", None
    return "expired", None
