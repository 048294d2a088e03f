"""Audit log pages, mounted at ``/audit/``."""

from django.urls import URLPattern, path

from huizhen.apps.audit import views

app_name = "audit"
urlpatterns: list[URLPattern] = [
    path("", views.audit_log, name="log"),
    path("verify/", views.verify_chain, name="verify"),
]
