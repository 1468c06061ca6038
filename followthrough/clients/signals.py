"""What a lifecycle move tells the apps above clients, which clients never imports.

A move out of `active` (pause, refer out, end) must leave nothing open behind it: each app
that holds something open for an engagement closes it in the move's own transaction, and
says beforehand what it would close, so the coach sees it before confirming.
"""

from dataclasses import dataclass, field

from django.dispatch import Signal

# Sent inside `engagement_move`'s transaction once the engagement is in its new state, with
# `move` (a Move). A receiver that fails undoes the whole move.
engagement_moved = Signal()

# Sent by `engagement_move_preview` with `move`; each receiver returns a list of
# Consequence for what the move would close, and writes nothing.
engagement_move_consequences = Signal()


@dataclass(frozen=True)
class Move:
    engagement: object
    from_state: str
    to_state: str
    by: object
    note: str = ""
    keep_planned_meetings: bool = False

    @property
    def stops(self):
        """Pausing, referring out, ending: anything but a resume. Ending a paused engagement
        stops it again (planned meetings a pause kept are cancelled then)."""
        return self.to_state != "active"

    @property
    def reason(self):
        """The move in a few words, for what it closes: 'engagement paused: holiday'."""
        words = {"paused": "engagement paused", "ended": "engagement ended",
                 "referred_out": "client referred to an associate", "active": "engagement resumed"}
        text = words.get(self.to_state, self.to_state)
        return f"{text}: {self.note.strip()}" if self.note.strip() else text


@dataclass(frozen=True)
class Consequence:
    """What a move does to one kind of open thing: "2 planned meetings are cancelled"."""

    what: str
    items: list = field(default_factory=list)

    def as_dict(self):
        return {"what": self.what, "items": list(self.items)}


# Sent inside `planned_break_record`'s transaction with `planned_break` and `by`: the
# commitments app waives what falls due in the break. A receiver that fails undoes the record.
planned_break_recorded = Signal()

# Sent inside `planned_break_cancel`'s transaction with `planned_break` and `by`: what the
# break waived and no meeting has reviewed goes back to open.
planned_break_cancelled = Signal()
