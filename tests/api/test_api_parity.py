"""Nothing a page accepts is missing from the API: each form's fields have their API field."""

import pytest

from followthrough.clients.schemas import AgreementIn, ClientIn, MoveIn, PlannedBreakIn
from followthrough.commitments.schemas import NewCommitmentIn, ReviewItemIn
from followthrough.engine.api import ThresholdsIn
from followthrough.engine.settings_views import ThresholdsForm
from followthrough.meetings.schemas import MeetingCheckIn, MeetingIn
from followthrough.portal.checks import MeetingCheckForm
from followthrough.portal.forms import PlannedBreakForm
from followthrough.practice.schemas import (
    AssociateIn,
    CoachSettingsIn,
    FocusAreaIn,
    InvitationIn,
    PracticeIn,
    ProfileIn,
)
from followthrough.transfer.erasure_views import ErasureForm
from followthrough.transfer.schemas import ErasureIn
from followthrough.web.api import DeactivateIn, ExternalReferralIn
from followthrough.web.forms.clients import AgreementForm, ClientForm, EngagementMoveForm
from followthrough.web.forms.meetings import MeetingForm
from followthrough.web.forms.practice import (
    AssociateForm,
    CoachSettingsForm,
    ExternalReferralForm,
    FocusAreaForm,
    HandOverForm,
    InviteForm,
    PracticeForm,
    ProfileForm,
)
from followthrough.web.forms.review import NewCommitmentForm, ReviewForm

# A page's name for a field where the API has another (the API's names are its own contract).
RENAMED = {"state": "to_state", "kept_fraction": "kept_fraction"}


@pytest.mark.parametrize("form, schema", [
    (ClientForm, ClientIn), (AgreementForm, AgreementIn), (MeetingForm, MeetingIn),
    (NewCommitmentForm, NewCommitmentIn), (ReviewForm, ReviewItemIn), (EngagementMoveForm, MoveIn),
    (PracticeForm, PracticeIn), (CoachSettingsForm, CoachSettingsIn), (ProfileForm, ProfileIn),
    (InviteForm, InvitationIn), (FocusAreaForm, FocusAreaIn), (AssociateForm, AssociateIn),
    (HandOverForm, DeactivateIn), (PlannedBreakForm, PlannedBreakIn), (ExternalReferralForm, ExternalReferralIn),
    (ErasureForm, ErasureIn),
    (MeetingCheckForm, MeetingCheckIn),
], ids=lambda x: x.__name__)
def test_every_field_a_page_takes_the_api_takes(form, schema):
    page_fields = set(form.base_fields)
    api_fields = set(schema.model_fields)
    missing = {name for name in page_fields if RENAMED.get(name, name) not in api_fields}
    assert missing == set(), f"{schema.__name__} lacks {sorted(missing)}"


@pytest.mark.parametrize("path", ["/api/clients", "/api/engagements/{e}/meetings",
                                  "/api/engagements/{e}/commitments", "/api/engagements/{e}/agreements",
                                  "/api/engagements/{e}/planned-breaks"])
@pytest.mark.parametrize("query, field", [({"limit": 2**63}, "limit"), ({"limit": 0}, "limit"),
                                          ({"offset": 2**63}, "offset"), ({"offset": -1}, "offset")])
def test_a_list_refuses_an_impossible_page_on_its_field(api, engagement, path, query, field):
    response = api.get(path.format(e=engagement.uid), **query)
    assert response.status_code == 422
    assert field in response.json()["errors"]


def test_the_api_todo_lists_what_the_caseload_lists(api, client, coach, held_meeting, focus, client_user):
    from datetime import timedelta

    from django.urls import reverse
    from django.utils import timezone

    from followthrough.commitments.services import commitment_client_report
    from followthrough.meetings.services import meeting_create

    meeting_create(engagement=held_meeting.engagement, by=coach.user, status="held",
                   starts_at=timezone.now() - timedelta(days=2), focus_areas=[focus["business"]])
    commitment_client_report(commitment=held_meeting.commitments_made.get(), by=client_user)
    body = api.get("/api/todo").json()
    client.force_login(coach.user)
    page = client.get(reverse("todo"), {"part": "list"}).context["todo"]
    assert [(i["kind"], i["url"], i["record_uid"]) for i in body["items"]] == \
        [(i.kind, i.url, i.record_uid) for i in page.items]
    assert {i["kind"] for i in body["items"]} == {"meeting_review", "reported_done", "agreement"}
    assert body["more"] is False


def test_the_api_todo_is_for_coaches_only(anonymous_api, client, client_user):
    assert anonymous_api.get("/api/todo").status_code == 401
    client.force_login(client_user)
    assert client.get("/api/todo").status_code in (401, 404)


def test_the_calendar_feed_pages_take_what_the_api_takes(client, coach):
    import re

    from django.urls import reverse

    from followthrough.web.api import FeedIn

    client.force_login(coach.user)
    page = client.get(reverse("calendar_coach_feeds")).content.decode()
    fields = set(re.findall(r'<input type="text" name="(\w+)"', page))
    assert fields == {"label"} and fields <= set(FeedIn.model_fields)


def test_every_threshold_the_settings_page_takes_the_api_takes():
    # The page builds its fields from THRESHOLD_FIELDS when made, so compare a made form.
    assert set(ThresholdsForm().fields) == set(ThresholdsIn.model_fields)
    assert "alliance_drop_points" in ThresholdsIn.model_fields


def test_the_api_caseload_takes_every_filter_the_caseload_page_takes():
    from followthrough.web.caseload_api import CaseloadQuery, PracticeEngagementsQuery
    from followthrough.web.views.caseload import caseload_filters

    page_params = {"q" if name == "search" else name for name in caseload_filters({})} | {"page"}
    assert page_params - set(CaseloadQuery.model_fields) == set()
    # The practice's engagements page reads these from its query string.
    assert {"coach", "state", "intervention", "page"} - set(PracticeEngagementsQuery.model_fields) == set()
