from django.urls import path

from huimin.eldercare import views

app_name = "eldercare"

urlpatterns = [
    path("institutions/", views.institutions, name="institutions"),
    path("institutions/add/", views.institution_add, name="institution_add"),
    path("institutions/<int:pk>/", views.institution_detail, name="institution"),
    path("institutions/<int:pk>/beds/", views.institution_beds, name="institution_beds"),
    path("institutions/<int:pk>/residents/add/", views.resident_add, name="resident_add"),
    path("residents/<int:pk>/leave/", views.resident_leave, name="resident_leave"),
    path("institutions/<int:pk>/staff/add/", views.staff_add, name="staff_add"),
    path("institutions/<int:pk>/ratings/add/", views.rating_add, name="rating_add"),
    path("institutions/<int:pk>/abnormal/", views.abnormal_act, name="abnormal_act"),
    path("abnormal/", views.abnormal, name="abnormal"),
    path("facilities/", views.facilities, name="facilities"),
    path("facilities/add/", views.facility_add, name="facility_add"),
    path("facilities/<int:pk>/", views.facility_detail, name="facility"),
    path("facilities/<int:pk>/status/", views.facility_status, name="facility_status"),
    path("facilities/<int:pk>/use/", views.facility_use, name="facility_use"),
    path("retrofits/", views.retrofits, name="retrofits"),
    path("retrofits/add/", views.retrofit_add, name="retrofit_add"),
    path("retrofits/<int:pk>/", views.retrofit_detail, name="retrofit"),
    path("retrofits/<int:pk>/act/", views.retrofit_act, name="retrofit_act"),
    path("dashboard/", views.dashboard, name="dashboard"),
]
