from django.urls import path

from huimin.elderly import allowance_views, views
from huimin.elderly import visit_views as v

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
    # 探访关爱
    path("visits/round/", v.visit_round, name="visit_round"),
    path("visits/overdue/", v.visits_overdue, name="visits_overdue"),
    path("visits/coverage/", v.visits_coverage, name="visits_coverage"),
    path("visits/<int:pk>/", v.visit_detail, name="visit"),
    path("visits/<int:pk>/photo/", v.visit_photo, name="visit_photo"),
    path("visitors/", v.visitor_list, name="visitors"),
    path("visitors/<int:pk>/", v.visitor_detail, name="visitor"),
    path("persons/<int:pk>/visits/", v.person_visits, name="person_visits"),
    path("persons/<int:pk>/visits/tier/", v.person_tier, name="person_tier"),
    path("persons/<int:pk>/visits/event/", v.person_event, name="person_event"),
    path("referrals/<int:pk>/close/", v.referral_close, name="referral_close"),
]
