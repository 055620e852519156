from django.urls import path

from huimin.portal import children, marriage, views

app_name = "portal"

urlpatterns = [
    path("", views.index, name="index"),
    path("verify/", views.verify, name="verify"),
    path("verify/code/", views.verify_code, name="verify_code"),
    path("logout/", views.logout, name="logout"),
    path("me/", views.home, name="home"),
    path("apply/<str:code>/", views.apply, name="apply"),
    path("applications/<str:number>/", views.application, name="application"),
    path("track/", views.track, name="track"),
    path("survival/", views.survival_confirm, name="survival_confirm"),
    path("report-child/", children.child_report, name="child_report"),
    path("marriage/", marriage.index, name="marriage"),
    path("marriage/<str:number>/", marriage.appointment, name="marriage_appointment"),
    path("marriage/<str:number>/cancel/", marriage.cancel, name="marriage_cancel"),
]
