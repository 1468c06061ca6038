"""An event of the log, as the API shows it."""

from datetime import datetime

from ninja import Schema


class EventOut(Schema):
    seq: int
    at: datetime
    actor: str
    action: str
    object_type: str
    object_uid: str
    before: dict | None
    after: dict | None
    hash: str
