"""The consultation pages, mounted at ``/cases/``: each view module contributes its patterns."""

from django.urls import URLPattern, URLResolver

from huizhen.apps.consults.views import gateway, hub, thread, transfer

app_name = "consults"
urlpatterns: list[URLPattern | URLResolver] = [
    *gateway.urlpatterns,
    *hub.urlpatterns,
    *thread.urlpatterns,
    *transfer.urlpatterns,
]
