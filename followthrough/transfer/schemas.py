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
