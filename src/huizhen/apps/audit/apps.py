from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "huizhen.apps.audit"
    label = "audit"
