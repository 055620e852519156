from django.urls import path

from huimin.children import adoption_views, report_views, views, visit_views

app_name = "children"

urlpatterns = [
    path("", views.register_list, name="register"),
    path("enter/", views.enter, name="enter"),
    path("transitions/", views.transitions, name="transitions"),
    path("visits/", visit_views.visit_round, name="visit_round"),
    path("entries/<int:pk>/", views.entry_detail, name="entry"),
    path("entries/<int:pk>/visit/", views.entry_visit, name="entry_visit"),
    path("cases/", views.case_list, name="cases"),
    path("cases/report/", views.report, name="report"),
    path("cases/kpis/", views.kpis, name="kpis"),
    path("reports/<int:pk>/", report_views.report_detail, name="received_report"),
    path("reports/<int:pk>/<str:action>/", report_views.report_act, name="received_report_act"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/<str:action>/", views.case_act, name="case_act"),
    path("adoptions/", adoption_views.adoptions, name="adoptions"),
    path("adoptions/apply/", adoption_views.adoption_apply, name="adoption_apply"),
    path("adoptions/<int:pk>/", adoption_views.adoption_detail, name="adoption"),
    path("adoptions/<int:pk>/certificate/", adoption_views.adoption_certificate, name="adoption_certificate"),
    path("adoptions/<int:pk>/<str:action>/", adoption_views.adoption_act, name="adoption_act"),
    path("foster/", adoption_views.foster, name="foster"),
    path("foster/apply/", adoption_views.foster_apply, name="foster_apply"),
    path("foster/families/<int:pk>/", adoption_views.foster_family, name="foster_family"),
    path("foster/families/<int:pk>/<str:action>/", adoption_views.foster_family_act, name="foster_family_act"),
    path("foster/placements/<int:pk>/<str:action>/", adoption_views.foster_placement_act, name="foster_placement_act"),
]
