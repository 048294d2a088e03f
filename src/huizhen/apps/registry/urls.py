"""The patient registry pages, mounted at ``/patients/``."""

from django.urls import URLPattern

app_name = "registry"
urlpatterns: list[URLPattern] = []
