"""What a client's reply says: its own first lines, read as "done", "not yet" or four numbers.

Only the lines the client wrote count: reading stops at the quoted message ("> ...",
"On ... wrote:", "-----Original Message-----", a forwarded header block) and at a
signature ("-- "). The first line that says something decides; anything else is
unreadable and set aside for the coach rather than guessed at.
"""

import re
from dataclasses import dataclass
from html import unescape

from followthrough.meetings.models import CHECK_HIGHEST, CHECK_QUESTIONS

NOTE_MAX = 2000
READ_LINES = 20

_QUOTE_STARTS = (
    re.compile(r"^>"),
    re.compile(r"^on .{0,200}wrote:?$", re.IGNORECASE),
    re.compile(r"^-{2,}\s*original message\s*-{2,}$", re.IGNORECASE),
    re.compile(r"^_{5,}$"),
    re.compile(r"^(from|sent|envoyé|von|de):\s", re.IGNORECASE),
    re.compile(r"^sent from my ", re.IGNORECASE),
)
_SIGNATURE = ("-- ", "--", "—")
_DONE = re.compile(r"^(done|it'?s done|all done|did it|i did it|yes,? done|finished)\b[\s.!:,-]*", re.IGNORECASE)
_NOT_YET = re.compile(r"^(not yet|not done yet|nope,? not yet)\b[\s.!:,-]*", re.IGNORECASE)
_NUMBERS = re.compile(r"^\s*(\d{1,2})\s*(?:[,;/]\s*|\s+)(\d{1,2})\s*(?:[,;/]\s*|\s+)"
                      r"(\d{1,2})\s*(?:[,;/]\s*|\s+)(\d{1,2})\s*[.!]?\s*$")


@dataclass(frozen=True)
class ReplyMeaning:
    meaning: str  # "done", "not_yet", "check", or "" when unreadable
    note: str = ""
    answers: dict | None = None


def own_lines(text):
    """The reply's own lines: up to the quoted message or the signature, blank ends trimmed."""
    lines = []
    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if raw.rstrip() in _SIGNATURE or any(pattern.match(line) for pattern in _QUOTE_STARTS):
            break
        lines.append(line)
        if len(lines) >= READ_LINES:
            break
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return lines


def html_to_text(html):
    """A rough text of an HTML-only reply: blockquotes (the quoted message) dropped."""
    html = re.sub(r"(?is)<blockquote.*?</blockquote>", "", html)
    html = re.sub(r"(?is)<(script|style).*?</\1>", "", html)
    html = re.sub(r"(?i)<br\s*/?>|</p>|</div>", "\n", html)
    return unescape(re.sub(r"<[^>]+>", "", html))


def read_reply(text):
    """What the reply says. Four numbers are the meeting check, in the order it asks them."""
    lines = own_lines(text)
    if not lines:
        return ReplyMeaning("")
    first, rest = lines[0], "\n".join(lines[1:]).strip()
    if match := _NUMBERS.match(first):
        numbers = [int(n) for n in match.groups()]
        if all(n <= CHECK_HIGHEST for n in numbers):
            return ReplyMeaning("check", answers=dict(zip(CHECK_QUESTIONS, numbers, strict=True)))
        return ReplyMeaning("")
    for meaning, pattern in (("not_yet", _NOT_YET), ("done", _DONE)):
        if match := pattern.match(first):
            note = "\n".join(part for part in (first[match.end():].strip(), rest) if part)
            return ReplyMeaning(meaning, note=note[:NOTE_MAX])
    return ReplyMeaning("")
