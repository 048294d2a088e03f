"""Audit entries: an append-only, hash-chained log.

Each entry stores the SHA-256 of its own canonical content, which includes the hash
of the previous entry, so editing or deleting any row breaks every link after it
(``huizhen audit verify`` reports the first). The database refuses UPDATE and DELETE
on the table through triggers (see the migration); the chain catches what an
administrator with direct database access could still do.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditLogIsAppendOnly(Exception):
    """Somebody tried to change or remove an audit entry through the ORM."""


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    # Bulk writes bypass Model.save()/delete(), so the queryset refuses them as well.
    def update(self, **kwargs: Any) -> NoReturn:
        raise AuditLogIsAppendOnly("audit entries cannot be updated")

    def delete(self) -> NoReturn:
        raise AuditLogIsAppendOnly("audit entries cannot be deleted")


class AuditEntry(models.Model):
    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField()
    action = models.CharField(max_length=64, db_index=True)
    outcome = models.CharField(max_length=16, default="ok")
    # Actors are kept as text, not foreign keys: deleting a user must never rewrite the log.
    actor = models.CharField(max_length=150, blank=True)
    actor_id = models.CharField(max_length=64, blank=True)
    peer = models.CharField(max_length=128, blank=True)
    ip_address = models.CharField(max_length=64, blank=True)
    target = models.CharField(max_length=255, blank=True)
    detail = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.actor or self.peer}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditLogIsAppendOnly(f"audit entry #{self.seq} cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditLogIsAppendOnly(f"audit entry #{self.seq} cannot be deleted")


class AuditChainHead(models.Model):
    """One row holding the newest entry's seq and hash; locking it serialises appends."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField(default=0)
    entry_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"head #{self.seq} {self.entry_hash[:12]}"


class ChainVerification(models.Model):
    """The outcome of one walk along the chain, kept so the audit page can show the latest."""

    at = models.DateTimeField(_("verified at"), auto_now_add=True)
    entries = models.PositiveBigIntegerField(_("entries checked"))
    intact = models.BooleanField(_("intact"))
    head_hash = models.CharField(_("head hash"), max_length=64, blank=True)
    broken_seq = models.PositiveBigIntegerField(_("first broken entry"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        get_latest_by = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {'intact' if self.intact else f'broken at #{self.broken_seq}'}"
