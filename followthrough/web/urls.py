from django.urls import path

from .views import agreements, caseload, clients, meetings, review

urlpatterns = [
    path("", caseload.caseload, name="caseload"),
    path("clients/new/", clients.client_create, name="client_create"),
    path("clients/<uuid:uid>/", clients.client_file, name="client_file"),
    path("engagements/<uuid:uid>/move/", clients.engagement_move, name="engagement_move"),
    path("engagements/<uuid:uid>/reengage/", clients.engagement_reengage,
         name="engagement_reengage"),
    path("engagements/<uuid:uid>/agreement/", agreements.agreement_create,
         name="agreement_create"),
    path("agreements/<uuid:uid>/acknowledge/", agreements.agreement_acknowledge,
         name="agreement_acknowledge"),
    path("engagements/<uuid:uid>/meetings/new/", meetings.meeting_create, name="meeting_create"),
    path("meetings/<uuid:uid>/", meetings.meeting_update, name="meeting_update"),
    path("meetings/<uuid:uid>/review/", review.review, name="meeting_review"),
    path("meetings/<uuid:uid>/review/row/", review.review_row, name="meeting_review_row"),
]
