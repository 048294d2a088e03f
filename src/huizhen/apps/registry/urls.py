"""The patient registry pages, mounted at ``/patients/``."""

from django.urls import URLPattern, path

from huizhen.apps.registry import views

app_name = "registry"
urlpatterns: list[URLPattern] = [
    path("", views.patient_list, name="list"),
    path("new/", views.patient_new, name="new"),
    path("<int:patient_id>/", views.patient_detail, name="patient"),
    path("<int:patient_id>/edit/", views.patient_edit, name="edit"),
    path("<int:patient_id>/consents/", views.consent_add, name="consent_add"),
    path("<int:patient_id>/consents/<int:consent_id>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("<int:patient_id>/consents/<int:consent_id>/form/", views.consent_form, name="consent_form"),
]
