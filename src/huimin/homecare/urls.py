from django.urls import path

from huimin.homecare import views

app_name = "homecare"

urlpatterns = [
    path("catalogue/", views.catalogue, name="catalogue"),
    path("providers/", views.providers, name="providers"),
    path("providers/<int:pk>/", views.provider_detail, name="provider"),
    path("orders/", views.orders, name="orders"),
    path("orders/new/", views.order_new, name="order_new"),
    path("orders/<int:pk>/", views.order_detail, name="order"),
    path("records/", views.records, name="records"),
    path("records/<int:pk>/confirm/", views.record_confirm, name="record_confirm"),
    path("followups/", views.followups, name="followups"),
    path("followups/<int:pk>/", views.followup_record, name="followup"),
    path("settlements/", views.settlements, name="settlements"),
    path("settlements/<int:pk>/", views.settlement_detail, name="settlement"),
    path("settlements/<int:pk>/<str:action>/", views.settlement_advance, name="settlement_advance"),
    path("alarms/", views.alarms_console, name="alarms"),
    path("alarms/<int:pk>/acknowledge/", views.alarm_acknowledge, name="alarm_acknowledge"),
    path("alarms/<int:pk>/close/", views.alarm_close, name="alarm_close"),
    path("devices/", views.devices, name="devices"),
    path("dashboard/", views.dashboard, name="dashboard"),
]
