"""The caseload and the practice's engagements in the API, read as the pages read them: the
same search, filters, sort and page size, through the same queries."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from ninja import Query, Router, Schema

from followthrough.clients.models import Engagement
from followthrough.practice.api import practice_admin
from followthrough.ui.api import ErrorsOut, In, api_coach
from followthrough.web import queries

router = Router(tags=["caseload"])

STATES = ", ".join(Engagement.State.values)
SORTS = ", ".join(queries.CASELOAD_SORTS)


class CaseloadQuery(In):
    q: str = ""
    state: str = ""
    flagged: bool = False
    intervention: bool = False
    overdue: bool = False
    sort: str = "name"
    page: int = 1


class CaseloadRowOut(Schema):
    client_uid: str
    client_name: str
    engagement_uid: str
    state: str
    check_back_on: date | None
    last_held_at: datetime | None
    next_planned_at: datetime | None
    open_commitments: int
    overdue_commitments: int
    flagged: bool
    open_intervention: bool


class CaseloadOut(Schema):
    total: int
    page: int
    pages: int
    rows: list[CaseloadRowOut]


def _choice(errors, field, value, allowed, words):
    if value and value not in allowed:
        errors[field] = [f"“{value}” is not {words}; choose one of: {', '.join(allowed)}."]


def _page_number(errors, page):
    if page < 1:
        errors["page"] = ["Pages are counted from 1."]


@router.get("/caseload", response={200: CaseloadOut, 422: ErrorsOut},
            summary="The asking coach's caseload as the caseload page lists it, 50 to a page",
            description=f"`q` searches client names and emails. `state`: {STATES} (none: every "
                        f"engagement not ended). `flagged`, `intervention` (one open) and `overdue` keep "
                        f"only those clients. `sort`: {SORTS}. A page past the end gives the last page.")
def caseload(request, filters: Query[CaseloadQuery]):
    coach = api_coach(request)
    errors = {}
    _choice(errors, "state", filters.state, Engagement.State.values, "a state of an engagement")
    _choice(errors, "sort", filters.sort, list(queries.CASELOAD_SORTS), "an order of the caseload")
    _page_number(errors, filters.page)
    if errors:
        raise ValidationError(errors)
    page, rows = queries.caseload_page(coach, request.user, filters.page, search=filters.q, state=filters.state,
                                       flagged=filters.flagged, intervention=filters.intervention,
                                       overdue=filters.overdue, sort=filters.sort)
    return {"total": page.paginator.count, "page": page.number, "pages": page.paginator.num_pages, "rows": [
        {"client_uid": str(row.uid), "client_name": row.full_name, "engagement_uid": str(row.engagement_uid),
         "state": row.engagement_state, "check_back_on": row.check_back_on, "last_held_at": row.last_held_at,
         "next_planned_at": row.next_planned_at, "open_commitments": row.open_count,
         "overdue_commitments": row.overdue_count, "flagged": row.is_flagged,
         "open_intervention": row.has_open_intervention} for row in rows]}


class PracticeEngagementsQuery(In):
    coach: str = ""
    state: str = ""
    intervention: bool = False
    page: int = 1


class PracticeEngagementOut(Schema):
    engagement_uid: str
    client_uid: str
    client_name: str
    coach_uid: str
    coach_name: str
    state: str
    started_on: date
    check_back_on: date | None
    ended_on: date | None
    open_intervention: bool
    intervention_last_step: str


class PracticeEngagementsOut(Schema):
    total: int
    page: int
    pages: int
    rows: list[PracticeEngagementOut]


@router.get("/practice/engagements", response={200: PracticeEngagementsOut, 422: ErrorsOut}, tags=["practice"],
            summary="Every engagement of the practice, whoever holds it (practice admins), 50 to a page",
            description=f"`coach` (a coach's uid) and `state` ({STATES}) narrow the list; `intervention` "
                        "keeps those with an intervention open.")
def practice_engagements(request, filters: Query[PracticeEngagementsQuery]):
    admin = practice_admin(request)
    errors = {}
    coaches = {str(uid) for uid in admin.practice.coaches.values_list("uid", flat=True)}
    if filters.coach and filters.coach not in coaches:
        errors["coach"] = ["Choose a coach of this practice (their uid)."]
    _choice(errors, "state", filters.state, Engagement.State.values, "a state of an engagement")
    _page_number(errors, filters.page)
    if errors:
        raise ValidationError(errors)
    listed = queries.practice_engagements(admin.practice, coach_uid=filters.coach, state=filters.state,
                                          intervention=filters.intervention)
    page = Paginator(listed, queries.ENGAGEMENTS_PAGE).get_page(filters.page)
    return {"total": page.paginator.count, "page": page.number, "pages": page.paginator.num_pages,
            "rows": [_practice_row(engagement) for engagement in page.object_list]}


def _practice_row(engagement):
    return {"engagement_uid": str(engagement.uid), "client_uid": str(engagement.client.uid),
            "client_name": engagement.client.full_name, "coach_uid": str(engagement.coach.uid),
            "coach_name": engagement.coach.display_name, "state": engagement.state,
            "started_on": engagement.started_on, "check_back_on": engagement.check_back_on,
            "ended_on": engagement.ended_on, "open_intervention": engagement.has_open_intervention,
            "intervention_last_step": engagement.open_intervention_step or ""}
