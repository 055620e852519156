from django.urls import path

from huimin.orgs import portal_views, views

app_name = "orgs"

urlpatterns = [
    path("", views.org_list, name="list"),
    path("<int:pk>/", views.org_detail, name="org"),
    path("<int:pk>/filing/<str:type_>/", views.org_filing, name="org_filing"),
    path("<int:pk>/password/", views.portal_password, name="portal_password"),
    path("<int:pk>/act/<str:action>/", views.org_act, name="org_act"),
    path("filings/", views.filing_list, name="filings"),
    path("filings/new/", views.filing_new, name="filing_new"),
    path("filings/<int:pk>/", views.filing_detail, name="filing"),
    path("filings/<int:pk>/decide/", views.filing_decide, name="filing_decide"),
    path("reports/", views.report_list, name="reports"),
    path("reports/missing/", views.non_filers, name="non_filers"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/precheck/", views.report_precheck, name="report_precheck"),
    path("reports/<int:pk>/decide/", views.report_decide, name="report_decide"),
    path("credit/", views.credit_list, name="credit"),
    path("credit/<int:pk>/exit/", views.credit_exit, name="credit_exit"),
    path("activities/", views.activity_list, name="activities"),
    path("activities/<int:pk>/", views.activity_detail, name="activity"),
    path("activities/<int:pk>/<str:action>/", views.activity_act, name="activity_act"),
    path("volunteers/<int:pk>/certificate.pdf", views.volunteer_certificate, name="volunteer_certificate"),
    path("stations/", views.station_list, name="stations"),
    path("stats/", views.stats, name="stats"),
    path("public/credit/", views.public_credit, name="public_credit"),
    path("portal/", portal_views.home, name="portal_home"),
    path("portal/login/", portal_views.login, name="portal_login"),
    path("portal/logout/", portal_views.logout, name="portal_logout"),
    path("portal/reports/<int:year>/", portal_views.report, name="portal_report"),
]
