from django.urls import path

from huimin.supervision import views

app_name = "supervision"

urlpatterns = [
    path("draws/", views.draws, name="draws"),
    path("draws/new/", views.draw_create, name="draw_create"),
    path("draws/<int:pk>/", views.draw_detail, name="draw"),
    path("draws/<int:pk>/publish/", views.draw_publish, name="draw_publish"),
    path("public/", views.public_draws, name="public_draws"),
    path("public/<int:pk>/", views.public_draw, name="public_draw"),
    path("public/<int:pk>.json", views.public_draw_json, name="public_draw_json"),
    path("inspections/", views.inspections, name="inspections"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection"),
    path("inspections/<int:pk>/record/", views.inspection_record, name="inspection_record"),
    path("inspections/<int:pk>/findings/add/", views.finding_add, name="finding_add"),
    path("findings/<int:pk>/rectify/", views.finding_rectify, name="finding_rectify"),
    path("findings/<int:pk>/close/", views.finding_close, name="finding_close"),
    path("findings/overdue/", views.overdue, name="overdue"),
    path("risks/", views.risks, name="risks"),
    path("risks/add/", views.risk_add, name="risk_add"),
    path("risks/<int:pk>/resolve/", views.risk_resolve, name="risk_resolve"),
    path("complaints/", views.complaints, name="complaints"),
    path("complaints/add/", views.complaint_add, name="complaint_add"),
    path("complaints/<int:pk>/handle/", views.complaint_handle, name="complaint_handle"),
]
