from django.contrib.auth import views as auth_views
from django.urls import include, path

from huimin.api import api
from huimin.core import pii
from huimin.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("login/", core_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", core_views.PasswordChangeView.as_view(), name="password_change"),
    path("pii/<str:model_label>/<int:pk>/<str:field_name>/", pii.reveal, name="pii_reveal"),
    path("healthz", core_views.healthz, name="healthz"),
    path("sw.js", core_views.service_worker, name="service_worker"),
    path("system/", include("huimin.core.urls")),
    path("registry/", include("huimin.registry.urls")),
    path("api/", api.urls),
    path("assistance/", include("huimin.assistance.urls")),
    path("verification/", include("huimin.verification.urls")),
    path("system/api-clients/", include("huimin.apiclients.urls")),
    path("portal/", include("huimin.portal.urls")),
    path("benefits/", include("huimin.benefits.urls")),
    path("stats/", include("huimin.stats.urls")),
    path("monitoring/", include("huimin.monitoring.urls")),
    path("eligibility/", include("huimin.eligibility.urls")),
    path("elderly/", include("huimin.elderly.urls")),
    path("marriage/", include("huimin.marriage.urls")),
    path("orgs/", include("huimin.orgs.urls")),
    path("supervision/", include("huimin.supervision.urls")),
    path("eldercare/", include("huimin.eldercare.urls")),
    path("homecare/", include("huimin.homecare.urls")),
    path("funeral/", include("huimin.funeral.urls")),
    path("places/", include("huimin.places.urls")),
    path("children/", include("huimin.children.urls")),
    path("relief/", include("huimin.relief.urls")),
]

handler400 = "huimin.core.errors.bad_request"
handler403 = "huimin.core.errors.permission_denied"
handler404 = "huimin.core.errors.page_not_found"
handler500 = "huimin.core.errors.server_error"
