from django.urls import path

from huimin.registry import bank_views, views

app_name = "registry"

urlpatterns = [
    path("persons/", views.person_list, name="persons"),
    path("persons/<int:pk>/", views.person_detail, name="person"),
    path("persons/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("persons/<int:pk>/event/<str:kind>/", views.person_event, name="person_event"),
    path("households/", views.household_list, name="households"),
    path("households/new/", views.household_register, name="household_register"),
    path("households/<int:pk>/", views.household_detail, name="household"),
    path("households/<int:pk>/event/<str:kind>/", views.household_event, name="household_event"),
    path("bank-changes/", bank_views.bank_change_list, name="bank_changes"),
    path("bank-changes/<int:pk>/", bank_views.bank_change_decide, name="bank_change_decide"),
    path("duplicates/", views.duplicate_list, name="duplicates"),
    path("duplicates/<int:pk>/", views.duplicate_decide, name="duplicate_decide"),
    path("duplicates/elsewhere/<int:pk>/close/", views.foreign_duplicate_close, name="foreign_duplicate_close"),
    path("import/", views.import_page, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("import/<int:pk>/", views.import_job, name="import_job"),
    path("import/<int:pk>/errors.xlsx", views.import_errors, name="import_errors"),
]
