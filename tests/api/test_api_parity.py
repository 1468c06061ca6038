"""Nothing a page accepts is missing from the API: each form's fields have their API field."""

import pytest

from followthrough.clients.schemas import AgreementIn, ClientIn, MoveIn
from followthrough.commitments.schemas import NewCommitmentIn, ReviewItemIn
from followthrough.engine.api import ThresholdsIn
from followthrough.engine.settings_views import ThresholdsForm
from followthrough.meetings.schemas import MeetingCheckIn, MeetingIn
from followthrough.portal.checks import MeetingCheckForm
from followthrough.practice.schemas import (
    AssociateIn,
    CoachSettingsIn,
    FocusAreaIn,
    InvitationIn,
    PracticeIn,
    ProfileIn,
)
from followthrough.web.api import DeactivateIn
from followthrough.web.forms.clients import AgreementForm, ClientForm, EngagementMoveForm
from followthrough.web.forms.meetings import MeetingForm
from followthrough.web.forms.practice import (
    AssociateForm,
    CoachSettingsForm,
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
    (HandOverForm, DeactivateIn), (MeetingCheckForm, MeetingCheckIn)
], ids=lambda x: x.__name__)
def test_every_field_a_page_takes_the_api_takes(form, schema):
    page_fields = set(form.base_fields)
    api_fields = set(schema.model_fields)
    missing = {name for name in page_fields if RENAMED.get(name, name) not in api_fields}
    assert missing == set(), f"{schema.__name__} lacks {sorted(missing)}"


@pytest.mark.parametrize("path", ["/api/clients", "/api/engagements/{e}/meetings",
                                  "/api/engagements/{e}/commitments", "/api/engagements/{e}/agreements"])
@pytest.mark.parametrize("query, field", [({"limit": 2**63}, "limit"), ({"limit": 0}, "limit"),
                                          ({"offset": 2**63}, "offset"), ({"offset": -1}, "offset")])
def test_a_list_refuses_an_impossible_page_on_its_field(api, engagement, path, query, field):
    response = api.get(path.format(e=engagement.uid), **query)
    assert response.status_code == 422
    assert field in response.json()["errors"]


def test_every_threshold_the_settings_page_takes_the_api_takes():
    # The page builds its fields from THRESHOLD_FIELDS when made, so compare a made form.
    assert set(ThresholdsForm().fields) == set(ThresholdsIn.model_fields)
    assert "alliance_drop_points" in ThresholdsIn.model_fields
