from django.urls import path

from huimin.core import duty_views, views

app_name = "core"

urlpatterns = [
    path("regions/", views.region_list, name="regions"),
    path("regions/children/", views.region_children, name="region_children"),
    path("regions/pick/", views.region_pick, name="region_pick"),
    path("users/", views.user_list, name="users"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("users/<int:pk>/role/", views.user_assign_role, name="user_assign_role"),
    path("users/<int:pk>/roles/<int:assignment_pk>/revoke/", views.user_revoke_role, name="user_revoke_role"),
    path("users/<int:pk>/requests/new/", views.user_request_change, name="user_request_change"),
    path("users/requests/", views.account_requests, name="account_requests"),
    path("users/requests/<int:pk>/confirm/", views.account_request_confirm, name="account_request_confirm"),
    path("users/requests/<int:pk>/reject/", views.account_request_reject, name="account_request_reject"),
    path("users/<int:pk>/active/", views.user_toggle_active, name="user_toggle_active"),
    path("users/<int:pk>/password/", views.user_reset_password, name="user_reset_password"),
    path("audit/", views.audit_list, name="audit"),
    path("audit/verify/", views.audit_verify, name="audit_verify"),
    path("duties/", duty_views.duty_rules, name="duty_rules"),
    path("duties/add/", duty_views.duty_rule_add, name="duty_rule_add"),
    path("duties/<int:pk>/end/", duty_views.duty_rule_end, name="duty_rule_end"),
]
