from django.urls import path

from huizhen.apps.nodes import views

app_name = "nodes"
urlpatterns = [
    path("", views.peers, name="peers"),
    path("register/", views.register, name="register"),
    path("panel/", views.panel, name="panel"),
    path("<int:pk>/status/", views.peer_status, name="peer_status"),
]
