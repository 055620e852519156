from django.urls import path

from huimin.benefits import views

app_name = "benefits"

urlpatterns = [
    path("standards/", views.standard_list, name="standards"),
    path("standards/add/", views.standard_add, name="standard_add"),
    path("standards/price-index/", views.price_index, name="price_index"),
    path("payroll/", views.payroll_months, name="payroll_months"),
    path("payroll/build/", views.payroll_build, name="payroll_build"),
    path("payroll/<int:pk>/", views.payroll_detail, name="payroll_detail"),
    path("payroll/<int:pk>/lines.xlsx", views.payroll_lines_export, name="payroll_lines_export"),
    path("payroll/<int:pk>/act/<str:action>/", views.payroll_act, name="payroll_act"),
    path("payroll/<int:pk>/bank-file/", views.bank_export, name="bank_export"),
    path("batches/<int:pk>/return/", views.bank_return, name="bank_return"),
    path("templates/", views.templates, name="templates"),
    path("templates/add/", views.template_create, name="template_create"),
    path("report/", views.report, name="report"),
    path("funds/", views.fund_list, name="funds"),
    path("funds/add/", views.fund_add, name="fund_add"),
    path("recoveries/", views.recovery_list, name="recoveries"),
    path("recoveries/<int:pk>/", views.recovery_detail, name="recovery"),
    path("recoveries/<int:pk>/act/<str:action>/", views.recovery_act, name="recovery_act"),
    path("calculator/", views.calculator, name="calculator"),
    path("restandard/", views.restandard_page, name="restandard"),
    path("restandard/apply/", views.restandard_apply, name="restandard_apply"),
]
