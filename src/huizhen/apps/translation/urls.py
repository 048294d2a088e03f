"""The translation pages, mounted at ``/translations/``."""

from django.urls import URLPattern, path

from huizhen.apps.translation import views

app_name = "translation"
urlpatterns: list[URLPattern] = [
    path("", views.queue, name="queue"),
    path("new", views.request_translation, name="request"),
    path("<int:task_id>/", views.task_page, name="task"),
    path("<int:task_id>/pdf", views.task_pdf, name="pdf"),
    path("<int:task_id>/claim", views.claim, name="claim"),
    path("<int:task_id>/save", views.save, name="save"),
    path("<int:task_id>/verify", views.verify, name="verify"),
    path("<int:task_id>/reject", views.reject, name="reject"),
]
