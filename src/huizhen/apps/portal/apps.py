from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "huizhen.apps.portal"
    label = "portal"
