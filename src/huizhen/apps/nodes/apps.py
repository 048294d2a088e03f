from django.apps import AppConfig


class NodesConfig(AppConfig):
    name = "huizhen.apps.nodes"
    label = "nodes"
