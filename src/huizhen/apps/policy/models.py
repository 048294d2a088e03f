"""Decisions the policy engine took on this node, and the export register that feeds its thresholds.

:class:`PolicyDecisionRecord` keeps one row per decision with the request exactly as the
engine evaluated it, so ``huizhen policy explain --case ID`` can show later why a case
was allowed or refused (CN-TM-09 "全程留痕", 45 CFR 164.312(b)). The request schema holds
facts about a transfer (roles, countries, data classes, consents), never a patient's
name or identifier: :func:`huizhen.policy.parse_request` refuses unknown fields, so
nothing identifying can reach this table.

:class:`ExportRegisterEntry` counts the individuals whose personal information left a
country per calendar year, destination and data category: China's 2024 Provisions on
Promoting and Regulating Cross-Border Data Flows (Arts. 7-8: 10,000 individuals'
sensitive personal information a year calls for a CAC security assessment) and the US
DOJ bulk thresholds (28 CFR 202.205-206) count *individuals*, so one row stands for
one individual and the unique constraint makes a repeat export of the same person in
the same year count once. The DOJ Data Security Program counts differently: distinct
*US persons* (28 CFR 202.256) whose data reached a country of concern over the
*preceding 12 months* (202.205), a window that straddles two year rows. So a row also
records whether its subject is a US person and when that subject was last exported on
that line, and the rolling count reads ``last_exported_at`` across year rows.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Outcome(models.TextChoices):
    ALLOW = "allow", _("Allow")
    ALLOW_WITH_OBLIGATIONS = "allow_with_obligations", _("Allow with obligations")
    DENY = "deny", _("Deny")


class PolicyDecisionRecord(models.Model):
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    action = models.CharField(_("action"), max_length=32)
    purpose = models.CharField(_("purpose"), max_length=32, blank=True)
    case_ref = models.CharField(_("case"), max_length=128, blank=True, db_index=True)
    # A username, not a foreign key: removing an account must not rewrite the record.
    actor = models.CharField(_("actor"), max_length=150, blank=True)
    request = models.JSONField(_("request as evaluated"), default=dict)
    decision = models.CharField(_("decision"), max_length=32, choices=Outcome.choices)
    rules = models.JSONField(_("rules"), default=list)
    obligations = models.JSONField(_("obligations"), default=list)
    reasons = models.JSONField(_("reasons"), default=list)
    warnings = models.JSONField(_("warnings"), default=list)
    pack_versions = models.JSONField(_("rule pack versions"), default=dict)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("policy decision")
        verbose_name_plural = _("policy decisions")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.decision} {self.case_ref}".rstrip()


class DataCategory(models.TextChoices):
    # The categories the thresholds are written in: PIPL personal vs sensitive personal
    # information (2024 Provisions Arts. 7-8), DOJ personal health data vs 'omic data.
    PERSONAL = "personal", _("Personal information")
    SENSITIVE = "sensitive", _("Sensitive personal information")
    HEALTH = "health", _("Personal health data")
    OMIC = "omic", _("'Omic data")


class ExportRegisterEntry(models.Model):
    """One individual's personal information leaving ``origin_country`` for ``destination_country`` in ``year``.

    ``subject_key`` is a keyed hash (HMAC-SHA256 under the node's secret key) of the
    patient's *pseudonym*, never of a Resident ID or MRN. The pseudonym is already a
    random surrogate with no meaning outside this node (US-HIPAA-07), so its keyed hash
    says nothing about the person; the register only needs "same individual or not".
    Hashing an identifier instead would be unsafe: an 18-digit Resident ID has so little
    entropy that its hash can be reversed by trying every plausible value. The key keeps
    even the pseudonym from being confirmed by someone who copies this table alone.
    """

    year = models.PositiveSmallIntegerField(_("year"))
    origin_country = models.CharField(_("origin country"), max_length=8)
    destination_country = models.CharField(_("destination country"), max_length=8)
    data_category = models.CharField(_("data category"), max_length=16, choices=DataCategory.choices)
    subject_key = models.CharField(_("subject key"), max_length=64)
    at = models.DateTimeField(_("first exported at"), default=timezone.now)
    # The latest export of this subject on this line, so a rolling 12-month window (DOJ
    # DSP, 28 CFR 202.205) counts someone exported in January and again in December.
    last_exported_at = models.DateTimeField(_("last exported at"), default=timezone.now)
    # 28 CFR 202.256: a US citizen or permanent resident, wherever treated. Once a row
    # says so it stays so (record_export only ever sets it), since under-counting US
    # persons is the unsafe direction.
    us_person = models.BooleanField(_("US person"), default=False)

    class Meta:
        ordering = ["-year", "origin_country", "destination_country", "data_category"]
        verbose_name = _("export register entry")
        verbose_name_plural = _("export register entries")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "origin_country", "destination_country", "data_category", "subject_key"],
                name="export_register_one_individual_per_year",
            ),
        ]
        indexes = [
            models.Index(fields=["year", "origin_country", "destination_country", "data_category"]),
            models.Index(
                fields=["destination_country", "us_person", "last_exported_at"], name="export_register_dsp_window"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.origin_country}→{self.destination_country} {self.data_category}"
