from django.urls import path

from . import breaks, checks, coach, shared, views

urlpatterns = [
    path("", views.home, name="portal_home"),
    path("agreement/", views.agreement, name="portal_agreement"),
    path("agreement/<uuid:uid>/", views.agreement_version, name="portal_agreement_version"),
    path("meetings/", views.meetings, name="portal_meetings"),
    path("meetings/<uuid:uid>/", views.meeting, name="portal_meeting"),
    path("meetings/<uuid:uid>/check/", checks.portal_check, name="portal_check"),
    path("commitments/<uuid:uid>/", views.commitment, name="portal_commitment"),
    path("commitments/<uuid:uid>/done/", views.commitment_done, name="portal_commitment_done"),
    path("commitments/<uuid:uid>/done/undo/", views.commitment_done_undo, name="portal_commitment_done_undo"),
    path("plans/<uuid:uid>/", views.plan_answer, name="portal_plan_answer"),
    path("breaks/", breaks.planned_breaks, name="portal_breaks"),
    path("breaks/<uuid:uid>/cancel/", breaks.planned_break_cancel_view, name="portal_break_cancel"),
    path("letters/<uuid:uid>/", shared.letter, name="portal_letter"),
    path("file-reviews/<uuid:uid>/", shared.file_review, name="portal_file_review"),
    path("file-reviews/<uuid:uid>/pdf/", shared.file_review_pdf, name="portal_file_review_pdf"),
    # Coach side: buttons on the coach's pages post here.
    path("send-link/<uuid:uid>/", coach.send_link, name="portal_send_link"),
    path("ask-plan/<uuid:uid>/", coach.ask_plan, name="portal_ask_plan"),
]
