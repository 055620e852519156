from django.urls import path

from huimin.assistance import public, views, visit_views

app_name = "assistance"

urlpatterns = [
    path("", views.application_list, name="applications"),
    path("new/", views.application_create, name="application_create"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("applications/<int:pk>/act/<str:action>/", views.application_act, name="application_act"),
    path("applications/<int:pk>/objections/<int:objection_pk>/", views.objection_resolve, name="objection_resolve"),
    path("applications/<int:pk>/files/<str:kind>/<int:file_pk>/", views.application_file, name="application_file"),
    path("applications/<int:pk>/pdf/<str:form>/", views.application_pdf, name="application_pdf"),
    path("visits/", visit_views.visit_round, name="visit_round"),
    path("deadlines/", views.deadline_list, name="deadlines"),
    path("publicity/", views.publicity_list, name="publicity"),
    path("enrolments/", views.enrolment_list, name="enrolments"),
    path("enrolments/<int:pk>/", views.enrolment_detail, name="enrolment_detail"),
    path("enrolments/<int:pk>/act/<str:action>/", views.enrolment_act, name="enrolment_act"),
    path("reviews/", views.reviews_due, name="reviews_due"),
    path("relatives/", views.relatives, name="relatives"),
    path("delegations/", views.delegations, name="delegations"),
    path("delegations/<int:pk>/end/", views.delegation_end, name="delegation_end"),
    path("forwarded/", views.forwarded_list, name="forwarded"),
    path("overlap-rules/", views.overlap_rules, name="overlap_rules"),
    path("settings/", views.settings_page, name="settings"),
    path("households/<int:pk>/", views.household_assistance, name="household"),
    path("households/<int:pk>/panel/", views.household_panel, name="household_panel"),
    path("public/publicity/", public.publicity_board, name="public_publicity"),
    path("public/publicity/<uuid:token>/objection/", public.objection_form, name="public_objection"),
]
