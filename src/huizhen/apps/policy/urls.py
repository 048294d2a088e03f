"""The policy page, mounted at ``/policy/``."""

from django.urls import URLPattern, path

from huizhen.apps.policy import views

app_name = "policy"
urlpatterns: list[URLPattern] = [
    path("", views.policy_page, name="page"),
    path("try/", views.try_request, name="try"),
]
