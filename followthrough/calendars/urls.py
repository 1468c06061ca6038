from django.urls import path

from . import views

urlpatterns = [
    path("<str:token>.ics", views.feed, name="calendar_feed"),
    path("feeds/", views.coach_feeds, name="calendar_coach_feeds"),
    path("feeds/<uuid:uid>/revoke/", views.coach_feed_revoke, name="calendar_coach_feed_revoke"),
    path("mine/", views.client_feeds, name="calendar_client_feeds"),
    path("mine/<uuid:uid>/revoke/", views.client_feed_revoke, name="calendar_client_feed_revoke"),
]
