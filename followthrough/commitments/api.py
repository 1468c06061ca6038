"""The API of commitments, and of the review of what was due at a held meeting."""

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from followthrough.clients.models import Engagement, Goal
from followthrough.meetings.api import meetings_queryset
from followthrough.meetings.models import GoalScore, Meeting
from followthrough.ui.api import ErrorsOut, load, renamed

from .models import Commitment
from .schemas import CommitmentOut, CommitmentOutcome, DueOut, ReviewIn, ReviewOut
from .services import MeetingReview, Review, meeting_review

router = Router(tags=["commitments"])


def commitments_queryset():
    return Commitment.objects.select_related("engagement", "made_at", "reviewed_in", "derived_from")


class CommitmentFilter(Schema):
    outcome: CommitmentOutcome | None = None


@router.get("/engagements/{uid}/commitments", response=list[CommitmentOut],
            summary="Commitments by due date; filter with ?outcome=open|kept|partly_kept|missed|waived")
@paginate
def commitment_list(request, uid: str, filters: Query[CommitmentFilter]):
    engagement = load(request, Engagement, uid)
    commitments = commitments_queryset().filter(engagement=engagement).order_by("due_on", "pk")
    if filters.outcome:
        commitments = commitments.filter(outcome=filters.outcome)
    return commitments


@router.get("/commitments/{uid}", response=CommitmentOut)
def commitment_detail(request, uid: str):
    return load(request, commitments_queryset(), uid)


def _current_goals(meeting):
    """The goals a review can score: those of the engagement's newest agreement version."""
    agreement = meeting.engagement.agreements.order_by("-version").first()
    if agreement is None:
        return []
    scores = GoalScore.objects.filter(meeting=meeting)
    goals = list(agreement.goals.order_by("position", "pk").prefetch_related(
        Prefetch("scores", queryset=scores, to_attr="scores_here")))
    for goal in goals:
        goal.level = goal.scores_here[0].level if goal.scores_here else None
    return goals


@router.get("/meetings/{uid}/due", response=DueOut,
            summary="What this meeting reviews: commitments due by its day, and goals to score")
def meeting_due(request, uid: str):
    meeting = load(request, Meeting.objects.select_related("engagement"), uid)
    due = commitments_queryset().due_for_review_at(meeting).order_by("due_on", "pk")
    return {"meeting_uid": meeting.uid, "commitments": list(due), "goals": _current_goals(meeting)}


def _visible_by_uid(queryset, user, uids):
    return {str(obj.uid): obj for obj in queryset.visible_to(user).filter(uid__in=uids)}


def _review_from(payload, user):
    """Turn uids into records, naming the payload row of each one that is not found.

    A record the coach may not see is reported exactly like one that does not exist.
    """
    errors = {}
    commitments = _visible_by_uid(Commitment.objects, user, [r.commitment for r in payload.reviews])
    goals = _visible_by_uid(Goal.objects.select_related("agreement"), user,
                            [s.goal for s in payload.goal_scores])
    reviews, seen = [], set()
    for index, item in enumerate(payload.reviews):
        commitment = commitments.get(str(item.commitment))
        if commitment is None:
            errors[f"reviews.{index}.commitment"] = ["No such commitment."]
        elif commitment.pk in seen:
            errors[f"reviews.{index}.commitment"] = ["This commitment is reviewed twice."]
        else:
            seen.add(commitment.pk)
            reviews.append(Review(commitment=commitment, outcome=item.outcome,
                                  kept_fraction=item.kept_fraction, client_reason=item.client_reason))
    scores = {}
    for index, item in enumerate(payload.goal_scores):
        goal = goals.get(str(item.goal))
        if goal is None:
            errors[f"goal_scores.{index}.goal"] = ["No such goal."]
        elif goal in scores:
            errors[f"goal_scores.{index}.goal"] = ["This goal is scored twice."]
        else:
            scores[goal] = item.level
    if errors:
        raise ValidationError(errors)
    new = [item.dict() for item in payload.new_commitments]
    return MeetingReview(reviews=reviews, new_commitments=new, goal_scores=scores)


def _api_field_name(payload):
    """Map the review service's row keys back to the paths of the payload that was sent."""
    review_rows = {str(item.commitment): index for index, item in enumerate(payload.reviews)}
    goal_rows = {str(item.goal): index for index, item in enumerate(payload.goal_scores)}

    def rename(name):
        if name.startswith("review-"):
            uid, _, field = name[len("review-"):].rpartition("-")
            if uid in review_rows:
                return f"reviews.{review_rows[uid]}.{field}"
        elif name.startswith("new-"):
            number, _, field = name[len("new-"):].partition("-")
            if number.isdigit():
                return f"new_commitments.{int(number) - 1}.{field}"
        elif name.startswith("goal-"):
            uid = name[len("goal-"):]
            if uid in goal_rows:
                return f"goal_scores.{goal_rows[uid]}.level"
        return name

    return rename


@router.post("/meetings/{uid}/review", response={200: ReviewOut, 422: ErrorsOut},
             summary="Review what was due and set the next commitments, all or nothing")
def meeting_review_view(request, uid: str, payload: ReviewIn):
    meeting = load(request, Meeting, uid)
    review = _review_from(payload, request.user)
    try:
        created = meeting_review(meeting=meeting, by=request.user, review=review)
    except ValidationError as exc:
        raise renamed(exc, _api_field_name(payload)) from None
    queryset = commitments_queryset()
    reviewed = queryset.filter(pk__in=[r.commitment.pk for r in review.reviews]).order_by("due_on", "pk")
    created = queryset.filter(pk__in=[c.pk for c in created]).order_by("pk")
    return {"meeting": load(request, meetings_queryset(), uid), "reviewed": list(reviewed),
            "created": list(created)}
