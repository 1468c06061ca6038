from django.contrib import admin
from django.urls import include, path

from followthrough.api.routes import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("followthrough.accounts.urls")),
    path("", include("followthrough.transfer.urls")),
    path("me/", include("followthrough.portal.urls")),
    path("", include("followthrough.portal.check_urls")),
    path("calendar/", include("followthrough.calendars.urls")),
    path("", include("followthrough.engine.urls")),
    path("", include("followthrough.protocol.urls")),
    path("", include("followthrough.web.urls")),
]
