from django.urls import path

from huimin.places import views

app_name = "places"

urlpatterns = [
    path("", views.place_list, name="list"),
    path("<int:pk>/", views.place_detail, name="place"),
    path("<int:pk>/<str:action>/", views.place_act, name="place_act"),
    path("proposals/", views.proposal_list, name="proposals"),
    path("proposals/new/", views.propose, name="propose"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal"),
    path("proposals/<int:pk>/decide/", views.proposal_decide, name="proposal_decide"),
    path("signs/", views.sign_list, name="signs"),
    path("signs/<int:pk>/check/", views.sign_check, name="sign_check"),
    path("rules/", views.rule_list, name="rules"),
    path("rules/<int:pk>/end/", views.rule_end, name="rule_end"),
    path("changes/", views.change_list, name="changes"),
    path("changes/<int:pk>/", views.change_detail, name="change"),
    path("search/", views.public_search, name="public_search"),
    path("stats/", views.stats, name="stats"),
    path("households/<int:pk>/panel/", views.household_panel, name="household_panel"),
]
