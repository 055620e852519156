from django.urls import path

from huimin.apiclients import views

app_name = "apiclients"

urlpatterns = [
    path("", views.client_list, name="clients"),
    path("new/", views.client_issue, name="client_issue"),
    path("<int:pk>/active/", views.client_toggle_active, name="client_toggle_active"),
    path("<int:pk>/rotate/", views.client_rotate, name="client_rotate"),
]
