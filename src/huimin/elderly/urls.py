from django.urls import path

from huimin.elderly import views

app_name = "elderly"

urlpatterns = [
    path("", views.register_list, name="register"),
    path("derive/", views.derive, name="derive"),
    path("persons/<int:pk>/", views.person_detail, name="person"),
    path("persons/<int:pk>/categories/add/", views.mark_add, name="mark_add"),
    path("persons/<int:pk>/assess/", views.assess, name="assess"),
    path("categories/<int:pk>/<str:decision>/", views.mark_decide, name="mark_decide"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment"),
    path("households/<int:pk>/panel/", views.household_panel, name="household_panel"),
]
