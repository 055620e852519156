from django.urls import path

from huimin.relief import views

app_name = "relief"

urlpatterns = [
    path("", views.stay_list, name="stays"),
    path("intake/", views.intake, name="intake"),
    path("stays/<int:pk>/", views.stay_detail, name="stay"),
    path("stays/<int:pk>/photo/", views.stay_photo, name="photo"),
    path("stays/<int:pk>/<str:action>/", views.stay_act, name="stay_act"),
    path("searches/<int:pk>/", views.search_close, name="search_close"),
    path("stations/", views.stations, name="stations"),
    path("stats/", views.stats, name="stats"),
]
