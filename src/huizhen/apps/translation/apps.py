"""App configuration of the translation and verification workflow."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TranslationConfig(AppConfig):
    name = "huizhen.apps.translation"
    label = "translation"
    verbose_name = _("Translations")
