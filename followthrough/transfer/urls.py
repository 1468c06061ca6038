from django.urls import path

from . import erasure_views, views

urlpatterns = [
    path("import/", views.import_page, name="transfer_import"),
    path("import/template.csv", views.template, name="transfer_template"),
    path("handoff/", views.handoff_page, name="transfer_handoff"),
    path("clients/<uuid:uid>/export/", views.client_export, name="transfer_client_export"),
    path("practice/export/", views.practice_export, name="transfer_practice_export"),
    path("me/export/", views.portal_export, name="transfer_portal_export"),
    path("practice/erasure/", erasure_views.erasure_list, name="transfer_erasure_list"),
    path("clients/<uuid:uid>/erase/", erasure_views.client_erase_page, name="transfer_client_erase"),
]
