"""App configuration of the consultation workflow (both node roles)."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultsConfig(AppConfig):
    name = "huizhen.apps.consults"
    label = "consults"
    verbose_name = _("Consultations")

    def ready(self) -> None:
        # Inbound node events are dispatched to handlers that register on import.
        from huizhen.apps.consults import handlers, inbound  # noqa: F401
