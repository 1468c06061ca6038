"""The project's URLs plus the protocol router on a test-only NinjaAPI with the project
API's authentication and error handlers, until the lead mounts it on the real one."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path
from ninja import NinjaAPI
from ninja.errors import ValidationError as NinjaValidationError

from followthrough.api import routes
from followthrough.api.auth import AUTH
from followthrough.api.common import errors_of
from followthrough.protocol.api import protocol_router
from followthrough.urls import urlpatterns as project_urlpatterns

PREFIX = "/protocol-api/"

api = NinjaAPI(title="Protocol API (tests)", auth=AUTH, urls_namespace="protocol_test_api")
api.add_router("/", protocol_router)


@api.exception_handler(DjangoValidationError)
def service_validation_error(request, exc):
    return api.create_response(request, {"errors": errors_of(exc)}, status=422)


@api.exception_handler(NinjaValidationError)
def schema_validation_error(request, exc):
    return routes.schema_validation_error(request, exc)


urlpatterns = [path(PREFIX.strip("/") + "/", api.urls), *project_urlpatterns]
