from django.urls import path

from huimin.funeral import views

app_name = "funeral"

urlpatterns = [
    path("", views.record_list, name="records"),
    path("records/new/", views.record_new, name="record_new"),
    path("records/<int:pk>/", views.record_detail, name="record"),
    path("facilities/", views.facility_list, name="facilities"),
    path("policies/", views.policy_list, name="policies"),
    path("settlements/", views.settlement_list, name="settlements"),
    path("settlements/<int:pk>/", views.settlement_detail, name="settlement"),
    path("settlements/<int:pk>/<str:action>/", views.settlement_act, name="settlement_act"),
    path("supervision/", views.supervision, name="supervision"),
    path("supervision/inspections/", views.inspection_add, name="inspection_add"),
    path("supervision/reports/<int:pk>/", views.report_handle, name="report_handle"),
    path("stats/", views.stats, name="stats"),
]
