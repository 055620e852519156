from django.urls import path

from huimin.verification import views

app_name = "verification"

urlpatterns = [
    path("households/", views.households, name="households"),
    path("households/<int:pk>/", views.household, name="household"),
    path("households/<int:pk>/authorisations/", views.authorisation_add, name="authorisation_add"),
    path("households/<int:pk>/check/", views.check, name="check"),
    path("households/<int:pk>/assist/", views.assist_create, name="assist_create"),
    path("authorisations/<int:pk>/scan/", views.authorisation_scan, name="authorisation_scan"),
    path("authorisations/<int:pk>/revoke/", views.authorisation_revoke, name="authorisation_revoke"),
    path("reports/", views.reports, name="reports"),
    path("reports/<int:pk>/", views.report, name="report"),
    path("reports/<int:pk>/pdf/", views.report_pdf, name="report_pdf"),
    path("sources/", views.sources, name="sources"),
    path("uploads/<int:pk>/", views.upload, name="upload"),
    path("uploads/<int:pk>/errors.csv", views.upload_errors, name="upload_errors"),
    path("api/sources/<str:source>/upload/", views.api_upload, name="api_upload"),
    path("thresholds/", views.thresholds, name="thresholds"),
    path("batches/", views.batches, name="batches"),
    path("batches/by-county/", views.batch_by_county, name="batch_by_county"),
    path("batches/<int:pk>/", views.batch, name="batch"),
    path("batches/<int:pk>/resume/", views.batch_resume, name="batch_resume"),
    path("batches/<int:pk>/review.xlsx", views.batch_xlsx, name="batch_xlsx"),
    path("assist/", views.assist_list, name="assist_list"),
    path("assist/<int:pk>/request.xlsx", views.assist_file, name="assist_file"),
    path("assist/<int:pk>/answer/", views.assist_answer, name="assist_answer"),
    path("stats/", views.stats, name="stats"),
]
