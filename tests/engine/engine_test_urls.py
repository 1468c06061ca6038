"""A URLconf with the engine's pages and stand-ins for the names base.html links to, so
the evidence page is tested on its own, whatever state the other pages are in."""

from django.http import HttpResponse
from django.urls import include, path


def _stub(request, **kwargs):
    return HttpResponse("stub")


urlpatterns = [
    path("", include("followthrough.engine.urls")),
    path("", _stub, name="caseload"),
    path("clients/new/", _stub, name="client_create"),
    path("clients/<uuid:uid>/", _stub, name="client_file"),
    path("settings/tokens/", _stub, name="api_tokens"),
    path("login/", _stub, name="login"),
    path("logout/", _stub, name="logout"),
]
