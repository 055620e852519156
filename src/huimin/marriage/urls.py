from django.urls import path

from huimin.marriage import views

app_name = "marriage"

urlpatterns = [
    path("", views.index, name="index"),
    path("offices/<int:pk>/", views.office, name="office"),
    path("offices/<int:pk>/special/", views.special_add, name="special_add"),
    path("offices/<int:pk>/walk-in/", views.walk_in, name="walk_in"),
    path("offices/<int:pk>/register/", views.register, name="register"),
    path("offices/<int:pk>/archive/", views.digitise, name="digitise"),
    path("offices/<int:pk>/divorce/", views.divorce_new, name="divorce_new"),
    path("records/", views.records, name="records"),
    path("records/<int:pk>/", views.record, name="record"),
    path("records/<int:pk>/certificate.pdf", views.certificate, name="certificate"),
    path("records/<int:pk>/request/", views.record_request, name="record_request"),
    path("records/<int:pk>/judgment/", views.judgment, name="judgment"),
    path("requests/<int:pk>/<str:decision>/", views.decide, name="decide"),
    path("refusals/<int:pk>/", views.refusal, name="refusal"),
    path("divorces/", views.divorces, name="divorces"),
    path("divorces/<int:pk>/", views.divorce, name="divorce"),
    path("divorces/<int:pk>/<str:action>/", views.divorce_act, name="divorce_act"),
    path("stats/", views.stats, name="stats"),
    path("verify/<str:token>/", views.verify, name="verify"),
]
