"""App configuration of the node's policy records and export register."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PolicyConfig(AppConfig):
    name = "huizhen.apps.policy"
    label = "policy"
    verbose_name = _("Policy")
