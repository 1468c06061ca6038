from django.urls import path

from .views import agreements, caseload, clients, meetings, practice_admin, profile, review

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
    path("settings/profile/", profile.coach_profile, name="coach_profile"),
    path("practice/", practice_admin.practice_settings, name="practice_settings"),
    path("practice/coaches/", practice_admin.coaches, name="practice_coaches"),
    path("practice/coaches/<uuid:uid>/", practice_admin.coach_settings, name="practice_coach"),
    path("practice/coaches/<uuid:uid>/deactivate/", practice_admin.coach_deactivate,
         name="practice_coach_deactivate"),
    path("practice/coaches/<uuid:uid>/reactivate/", practice_admin.coach_reactivate,
         name="practice_coach_reactivate"),
    path("practice/invitations/<uuid:uid>/revoke/", practice_admin.invitation_revoke_view,
         name="practice_invitation_revoke"),
    path("practice/focus-areas/", practice_admin.focus_areas, name="practice_focus_areas"),
    path("practice/associates/", practice_admin.associates, name="practice_associates"),
    path("practice/associates/<uuid:uid>/", practice_admin.associate_edit, name="practice_associate"),
    path("practice/engagements/", practice_admin.practice_engagements, name="practice_engagements"),
]
