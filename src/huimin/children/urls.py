from django.urls import path

from huimin.children import views

app_name = "children"

urlpatterns = [
    path("", views.register_list, name="register"),
    path("enter/", views.enter, name="enter"),
    path("transitions/", views.transitions, name="transitions"),
    path("entries/<int:pk>/", views.entry_detail, name="entry"),
    path("entries/<int:pk>/visit/", views.entry_visit, name="entry_visit"),
    path("cases/", views.case_list, name="cases"),
    path("cases/report/", views.report, name="report"),
    path("cases/kpis/", views.kpis, name="kpis"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/<str:action>/", views.case_act, name="case_act"),
]
