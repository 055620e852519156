from django.urls import path

from huimin.eligibility import views

app_name = "eligibility"

urlpatterns = [
    path("survival/", views.survival, name="survival"),
    path("survival/<int:person_id>/confirm/", views.survival_confirm, name="survival_confirm"),
    path("certificates/", views.certificates, name="certificates"),
    path("certificates/<int:pk>/ack/", views.certificate_ack, name="certificate_ack"),
    path("policies/", views.policies, name="policies"),
]
