"""Audit entries: an append-only, hash-chained log.

Each entry stores the SHA-256 of its own canonical content, which includes the hash
of the previous entry, so editing or deleting any row breaks every link after it
(``huizhen audit verify`` reports the first). The database refuses UPDATE and DELETE
on the table through triggers (see the migration); the chain catches what an
administrator with direct database access could still do.
"""

from __future__ import annotations

from django.db import models


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

    class Meta:
        ordering = ["seq"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.actor or self.peer}"


class AuditChainHead(models.Model):
    """One row holding the newest entry's seq and hash; locking it serialises appends."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField(default=0)
    entry_hash = models.CharField(max_length=64)
