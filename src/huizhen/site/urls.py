"""URL map of a node: the UI apps, the JSON API and the OTP-protected Django admin."""

from django.contrib import admin
from django.urls import include, path
from django_otp.admin import OTPAdminSite

from huizhen.site.api import api

admin.site.__class__ = OTPAdminSite

urlpatterns = [
    path("", include("huizhen.apps.portal.urls")),
    path("accounts/", include("huizhen.apps.accounts.urls")),
    path("nodes/", include("huizhen.apps.nodes.urls")),
    path("audit/", include("huizhen.apps.audit.urls")),
    path("policy/", include("huizhen.apps.policy.urls")),
    path("translations/", include("huizhen.apps.translation.urls")),
    path("patients/", include("huizhen.apps.registry.urls")),
    path("cases/", include("huizhen.apps.consults.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
