from django.urls import path

from huimin.elderly import allowance_views, views

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
    # 高龄津贴 免申即享 (huimin.elderly.allowance)
    path("allowance/", allowance_views.proposal_page, name="allowance"),
    path("allowance/confirm/", allowance_views.confirm, name="allowance_confirm"),
    path("allowance/enrolled/", allowance_views.enrolled_page, name="allowance_enrolled"),
    path("allowance/bands/", allowance_views.bands_page, name="allowance_bands"),
    path("allowance/bands/add/", allowance_views.band_add, name="allowance_band_add"),
    path("allowance/policy/add/", allowance_views.policy_add, name="allowance_policy_add"),
]
