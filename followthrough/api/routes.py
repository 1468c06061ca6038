"""The API: one NinjaAPI mounting each app's own `api.py`, and errors that name their field."""

from django.core.exceptions import ValidationError as DjangoValidationError
from ninja import NinjaAPI
from ninja.errors import ValidationError as NinjaValidationError

from followthrough.accounts import api as accounts_api
from followthrough.accounts.auth import AUTH
from followthrough.clients import api as clients_api
from followthrough.commitments import api as commitments_api
from followthrough.engine import api as engine_api
from followthrough.meetings import api as meetings_api
from followthrough.practice import api as practice_api
from followthrough.protocol import api as protocol_api
from followthrough.protocol import outcomes_api
from followthrough.transfer import api as transfer_api
from followthrough.ui.api import errors_of
from followthrough.web import api as web_api
from followthrough.web import caseload_api

api = NinjaAPI(
    title="Followthrough API",
    version="1",
    description=(
        "The records of a coaching practice, with the same permissions as the pages: a coach "
        "sees the engagements they hold. Authenticate with `Authorization: Bearer ft_...` "
        "(make a token under Settings → API tokens). Records are named by uid, focus areas "
        "by slug; datetimes must carry a time zone. Send an `Idempotency-Key` header with any write "
        "to make it safe to retry: the same key returns the first answer and writes nothing twice. "
        "Lists take `limit` (1-500) and `offset`."
    ),
    auth=AUTH,
)

for app_api in (clients_api, meetings_api, commitments_api, engine_api, protocol_api, accounts_api,
                practice_api, web_api, caseload_api, transfer_api, outcomes_api):
    api.add_router("/", app_api.router)


@api.exception_handler(DjangoValidationError)
def service_validation_error(request, exc):
    # The services validate everything before they write, inside one transaction, so
    # reaching here means nothing was saved.
    return api.create_response(request, {"errors": errors_of(exc)}, status=422)


# Where ninja puts the payload in `loc`, before the field path the client sent.
_LOCATIONS = {"body", "query", "path", "header", "cookie", "form", "file"}
_PARAMETER_NAMES = {"payload", "filters"}


def _field_path(loc):
    parts = [str(p) for p in loc]
    if parts and parts[0] in _LOCATIONS:
        parts = parts[1:]
    if parts and parts[0] in _PARAMETER_NAMES:
        parts = parts[1:]
    return ".".join(parts) or "__all__"


@api.exception_handler(NinjaValidationError)
def schema_validation_error(request, exc):
    """Keep ninja's `detail` list, and add the same `errors` map services produce, so a
    client can read field errors one way whichever layer found them."""
    errors = {}
    for error in exc.errors:
        message = error.get("msg", "Invalid value.")
        if error.get("type") == "timezone_aware":
            message = "Give a time zone with the datetime, e.g. 2025-03-01T09:30:00+01:00."
        errors.setdefault(_field_path(error.get("loc", ())), []).append(message)
    return api.create_response(request, {"detail": exc.errors, "errors": errors}, status=422)
