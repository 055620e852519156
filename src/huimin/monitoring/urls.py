from django.urls import path

from huimin.monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("", views.warning_list, name="warnings"),
    path("overdue/", views.overdue_list, name="overdue"),
    path("warnings/<int:pk>/", views.warning_detail, name="warning"),
    path("warnings/<int:pk>/act/<str:action>/", views.warning_act, name="warning_act"),
    path("warnings/<int:pk>/discover/", views.warning_discover, name="warning_discover"),
    path("rules/", views.rule_list, name="rules"),
    path("rules/<int:pk>/", views.rule_edit, name="rule_edit"),
    path("rules/<int:pk>/dry-run/", views.rule_dry_run, name="rule_dry_run"),
    path("runs/", views.runs, name="runs"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("households/<int:pk>/panel/", views.household_panel, name="household_panel"),
]
