"""A translation task: one clinical text, its machine draft, its human translation and who vouched for it.

The model holds data and invariants only; which status may follow which is decided in
:mod:`huizhen.apps.translation.workflow` and every change goes through
:mod:`huizhen.apps.translation.services`. The invariants that matter for patient
safety are database constraints as well as ``clean()``: a verified task names its
verifier, and the verifier is never the translator (four eyes, issue 6 item 5c).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from huizhen.translate import Provenance


class Language(models.TextChoices):
    """Languages of the workflow, as the translation engines name them."""

    CHINESE = "zh", _("Chinese")
    ENGLISH = "en", _("English")


class Status(models.TextChoices):
    QUEUED = "queued", _("Queued for a translator")
    MACHINE_DRAFT = "machine_draft", _("Machine draft")
    IN_REVIEW = "in_review", _("Being translated")
    TRANSLATED = "translated", _("Awaiting verification")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Returned to translator")


class TranslationTask(models.Model):
    subject = models.CharField(_("subject"), max_length=200)
    case_ref = models.CharField(_("case reference"), max_length=128, blank=True)
    source_lang = models.CharField(_("source language"), max_length=8, choices=Language.choices)
    target_lang = models.CharField(_("target language"), max_length=8, choices=Language.choices)
    source_text = models.TextField(_("source text"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)

    # Set when the request found an engine; machine_at stays empty until the draft arrives.
    machine_engine = models.CharField(_("machine engine"), max_length=100, blank=True)
    machine_model = models.CharField(_("machine model"), max_length=200, blank=True)
    # "machine", or "glossary" when the whole text was glossary terms and needed no engine.
    machine_method = models.CharField(_("draft method"), max_length=16, blank=True)
    machine_text = models.TextField(_("machine draft"), blank=True)
    machine_at = models.DateTimeField(_("machine draft at"), null=True, blank=True)

    human_text = models.TextField(_("translation"), blank=True)
    translator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="translations_translated",
        verbose_name=_("translator"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="translations_verified",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    review_comment = models.TextField(_("reviewer's comment"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(source_lang=F("target_lang")), name="translation_languages_differ"),
            models.CheckConstraint(
                condition=~Q(verified_by=F("translator")), name="translation_verifier_is_not_translator"
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.VERIFIED)
                | Q(verified_by__isnull=False, verified_at__isnull=False, translator__isnull=False),
                name="translation_verified_names_verifier_and_translator",
            ),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="translation_status_known"),
        ]
        indexes = [models.Index(fields=["status", "-requested_at"], name="translation_status_idx")]

    def __str__(self) -> str:
        return f"{self.subject} ({self.source_lang}→{self.target_lang})"

    def clean(self) -> None:
        super().clean()
        if self.source_lang == self.target_lang:
            raise ValidationError({"target_lang": _("The target language must differ from the source language.")})
        if self.verified_by_id is not None and self.verified_by_id == self.translator_id:
            raise ValidationError({"verified_by": _("A translation cannot be verified by its own translator.")})

    @property
    def target(self) -> str:
        """Audit target and page anchor of this task."""
        return f"translation:{self.pk}"

    @property
    def translation_text(self) -> str:
        """The text a reader gets: the human translation once there is one, else the machine draft."""
        return self.human_text or self.machine_text

    @property
    def awaiting_machine(self) -> bool:
        return bool(self.machine_engine) and self.machine_at is None and self.status == Status.QUEUED

    @property
    def is_verified(self) -> bool:
        return self.status == Status.VERIFIED

    @property
    def provenance(self) -> Provenance | None:
        """Who and what produced the text a reader gets, in the engine's shape; None before there is any."""
        from huizhen.apps.translation.provenance import task_provenance

        return task_provenance(self)
