from django.urls import path

from huimin.stats import views

app_name = "stats"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("charts/<str:chart>.xlsx", views.chart_xlsx, name="chart_xlsx"),
    path("monthly/", views.monthly, name="monthly"),
    path("funds/", views.funds, name="funds"),
    path("funds.xlsx", views.funds_xlsx, name="funds_xlsx"),
    path("monthly.xlsx", views.monthly_xlsx, name="monthly_xlsx"),
    path("monthly.pdf", views.monthly_pdf, name="monthly_pdf"),
    path("recompute/", views.recompute, name="recompute"),
    path("indicators/", views.indicator_list, name="indicators"),
    path("indicators/<int:pk>/target/", views.indicator_target, name="indicator_target"),
]
