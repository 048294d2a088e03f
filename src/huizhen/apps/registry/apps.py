"""App configuration of the gateway's patient registry."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "huizhen.apps.registry"
    label = "registry"
    verbose_name = _("Patient registry")
