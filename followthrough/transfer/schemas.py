from ninja import Schema


class ProblemOut(Schema):
    row: int
    column: str
    message: str


class ImportOut(Schema):
    dry_run: bool
    clients: int
    meetings: int
    commitments: int
    ignored_columns: list[str]


class ImportErrorsOut(Schema):
    errors: dict[str, list[str]]
    problems: list[ProblemOut]


class HandoffOut(Schema):
    uid: str
    full_name: str


class ErasureIn(Schema):
    reason: str = ""
    # The page's tick; calling the route is the confirmation, so it defaults to true.
    confirmed: bool = True


class ErasureOut(Schema):
    uid: str
    erased: bool
    records_scrubbed: int


class ErasureDueOut(Schema):
    uid: str
    full_name: str
    last_ended_on: str
