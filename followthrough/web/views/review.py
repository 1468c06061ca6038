"""THE review screen: what became of each commitment due, goal scores, and the next commitments.

Everything on the page is submitted together and handed to `meeting_review` once, so the
review is saved whole or not at all.
"""

import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from followthrough.access import get_visible_or_404
from followthrough.commitments.models import Commitment
from followthrough.commitments.services import MeetingReview, Review, meeting_review
from followthrough.meetings.models import Meeting
from followthrough.ui.decorators import coach_required
from followthrough.ui.forms import posted
from followthrough.web.forms.review import (
    MAX_NEW_ROWS,
    GoalScoresForm,
    NewCommitmentForm,
    ReviewForm,
)

from .common import file_url
from .meetings import next_meeting_offer_for

EMPTY_ROWS = 3
NEW_ROW_KEY = re.compile(r"^new-(\d+)-description$")


def _meeting(request, uid):
    return get_visible_or_404(
        Meeting.objects.select_related("engagement__client__practice", "engagement__coach"),
        request.user, uid)


def _due(meeting):
    return list(
        Commitment.objects.due_for_review_at(meeting)
        .select_related("made_at", "derived_from").order_by("due_on", "pk")
    )


def _new_row_indexes(data):
    """The new-commitment rows the page sent, in order; three empty ones on a fresh page."""
    if data is None:
        return list(range(1, EMPTY_ROWS + 1))
    found = sorted({int(m.group(1)) for key in data if (m := NEW_ROW_KEY.match(key))})
    rows = [n for n in found if 1 <= n <= MAX_NEW_ROWS] or list(range(1, EMPTY_ROWS + 1))
    if "add_row" in data and len(rows) < MAX_NEW_ROWS:
        rows.append(max(rows) + 1)
    return rows


def _as_initial(form):
    return {name: form[name].value() for name in form.fields}


class ReviewPage:
    """The forms of one review screen, bound to a submission or fresh.

    `quiet` keeps what was typed without judging it, for the no-JS "add a row" button: the
    coach is not done yet, so no field should be marked as missing.
    """

    def __init__(self, meeting, data=None, *, quiet=False):
        self.meeting = meeting
        self.engagement = meeting.engagement
        self.due = _due(meeting)
        agreement = self.engagement.agreements.order_by("-version").first()
        self.goals = list(agreement.goals.all()) if agreement else []
        self.saved_scores = {s.goal_id: s.level for s in meeting.goal_scores.all()}
        self.already_made = list(meeting.commitments_made.order_by("due_on", "pk"))
        self.reviews = [ReviewForm(data, commitment=c) for c in self.due]
        self.new_rows = [self._row(n, data) for n in _new_row_indexes(data)]
        self.scores = GoalScoresForm(data, goals=self.goals, scores=self.saved_scores)
        if data is not None:
            # A row left empty is shown fresh rather than as a commitment missing its fields.
            self.new_rows = [form if form.has_changed() else self._row(form.index)
                             for form in self.new_rows]
        if quiet:
            self.reviews = [ReviewForm(commitment=form.commitment, initial=_as_initial(form))
                            for form in self.reviews]
            self.new_rows = [self._row(form.index, initial=_as_initial(form))
                             for form in self.new_rows]
            self.scores = GoalScoresForm(goals=self.goals, scores=self.saved_scores,
                                         initial=_as_initial(self.scores))
        self.errors = []

    def _row(self, index, data=None, **kwargs):
        return NewCommitmentForm(data, index=index, meeting=self.meeting, **kwargs)

    def is_valid(self):
        valid = [form.is_valid() for form in self.reviews]
        valid += [form.is_valid() for form in self.filled_rows()]
        valid.append(self.scores.is_valid())
        return all(valid)

    def filled_rows(self):
        # An untouched row is not a commitment; a row with anything typed in is.
        return [form for form in self.new_rows if form.is_bound and form.has_changed()]

    def submission(self):
        return MeetingReview(
            reviews=[Review(commitment=form.commitment, outcome=form.cleaned_data["outcome"],
                            kept_fraction=form.cleaned_data["kept_fraction"],
                            client_reason=form.cleaned_data["client_reason"])
                     for form in self.reviews],
            new_commitments=[form.values() for form in self.filled_rows()],
            goal_scores=self.scores.scores(),
        )

    def apply_errors(self, exc):
        """Hand each of the service's keyed messages to the form and field it names."""
        if not hasattr(exc, "error_dict"):
            self.errors.extend(exc.messages)
            return
        reviews = {form.prefix: form for form in self.reviews}
        # `new-<n>` counts the commitments the service was given, which skip the empty rows.
        rows = {f"new-{n}": form for n, form in enumerate(self.filled_rows(), start=1)}
        for key, errors in exc.error_dict.items():
            messages_ = [m for error in errors for m in error.messages]
            prefix, _, field = key.rpartition("-")
            form = reviews.get(prefix) or rows.get(prefix)
            if key in self.scores.fields:
                self.scores.add_error(key, messages_)
            elif form is not None and field in form.fields:
                form.add_error(field, messages_)
            else:
                self.errors.extend(messages_)


@coach_required
@require_http_methods(["GET", "POST"])
def review(request, uid):
    meeting = _meeting(request, uid)
    engagement = meeting.engagement
    ready = meeting.status == Meeting.Status.HELD and engagement.is_active
    adding_row = "add_row" in request.POST
    page = ReviewPage(meeting, posted(request),
                      quiet=adding_row)
    if request.method == "POST" and not adding_row:
        if not ready:
            page.errors.append(_not_ready(meeting))
        elif page.is_valid():
            try:
                created = meeting_review(meeting=meeting, by=request.user,
                                         review=page.submission())
            except ValidationError as exc:
                page.apply_errors(exc)
            else:
                messages.success(
                    request, f"Review saved: {len(page.reviews)} reviewed, "
                             f"{len(created)} new commitment{'s' if len(created) != 1 else ''}.")
                return redirect(file_url(engagement.client, engagement, f"meeting-{meeting.uid}"))
        else:
            page.errors.append("Nothing was saved: correct the fields marked below.")
    return render(request, "web/review.html", {
        "meeting": meeting, "engagement": engagement, "client": engagement.client,
        "page": page, "ready": ready, "not_ready": None if ready else _not_ready(meeting),
        "max_rows": MAX_NEW_ROWS, "next_meeting": next_meeting_offer_for(meeting) if ready else None,
    })


def _not_ready(meeting):
    if meeting.status != Meeting.Status.HELD:
        return ("Commitments are reviewed at a held meeting; this one is "
                f"{meeting.get_status_display().lower()}. Record it as held first.")
    return (f"This engagement is {meeting.engagement.get_state_display().lower()}; "
            "reviews happen in an active engagement.")


@coach_required
@require_GET
def review_row(request, uid):
    """One more empty new-commitment row, for the page's add-a-row button."""
    meeting = _meeting(request, uid)
    try:
        index = int(request.GET.get("index", ""))
    except ValueError:
        raise Http404("No such row") from None
    if not 1 <= index <= MAX_NEW_ROWS:
        raise Http404("No such row")
    form = NewCommitmentForm(index=index, meeting=meeting)
    return render(request, "web/partials/review_new_row.html", {"form": form})
