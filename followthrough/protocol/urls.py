from django.urls import path

from .views import interventions, letters, practice, referrals, reviews

app_name = "protocol"

urlpatterns = [
    path("engagements/<uuid:uid>/interventions/open/", interventions.intervention_open, name="intervention_open"),
    path("interventions/<uuid:uid>/", interventions.intervention_detail, name="intervention"),
    path("interventions/<uuid:uid>/steps/<slug:step>/", interventions.intervention_step, name="intervention_step"),
    path("interventions/<uuid:uid>/review-file/", reviews.review_file, name="review_file"),
    path("interventions/<uuid:uid>/final-review/", reviews.final_review, name="final_review"),
    path("interventions/<uuid:uid>/letters/", letters.letter_create, name="letter_create"),
    path("file-reviews/<uuid:uid>/", reviews.file_review_detail, name="file_review"),
    path("file-reviews/<uuid:uid>/pdf/", reviews.file_review_pdf, name="file_review_pdf"),
    path("file-reviews/<uuid:uid>/share/", reviews.file_review_share, name="file_review_share"),
    path("letters/<uuid:uid>/", letters.letter_detail, name="letter"),
    path("letters/<uuid:uid>/send/", letters.letter_send_view, name="letter_send"),
    path("referrals/<uuid:uid>/", referrals.referral_detail, name="referral"),
    path("referrals/<uuid:uid>/consent/", referrals.referral_consent, name="referral_consent"),
    path("referrals/<uuid:uid>/accept/", referrals.referral_accept_view, name="referral_accept"),
    path("referrals/<uuid:uid>/decline/", referrals.referral_decline_view, name="referral_decline"),
    path("referrals/<uuid:uid>/complete/", referrals.referral_complete_view, name="referral_complete"),
    path("notifications/", practice.notifications, name="notifications"),
    path("notifications/read/", practice.notifications_read, name="notifications_read"),
    path("practice/outcomes/", practice.outcomes, name="outcomes"),
]
