"""Peers this node trusts (by Ed25519 key) and the request nonces it has already seen.

A peer is trusted for exactly one key: its ``fingerprint`` is what administrators
compare out of band, and its ``public_key`` verifies every request it signs. The
``status`` is the outcome of this node's last signed call to the peer.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Peer(models.Model):
    class Role(models.TextChoices):
        HUB = "hub", _("Consulting hub")
        GATEWAY = "gateway", _("Hospital gateway")

    class Status(models.TextChoices):
        UNKNOWN = "unknown", _("Not checked yet")
        CONNECTED = "connected", _("Connected")
        UNREACHABLE = "unreachable", _("Unreachable")

    name = models.CharField(_("name"), max_length=200, unique=True)
    base_url = models.URLField(_("base URL"), max_length=300, unique=True)
    public_key = models.CharField(_("public key (base64)"), max_length=64)
    fingerprint = models.CharField(_("fingerprint"), max_length=71, unique=True)
    # Blank until the first ping when a peer was registered offline with --public-key.
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, blank=True)
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.UNKNOWN)
    last_checked_at = models.DateTimeField(_("last checked at"), null=True, blank=True)
    last_contact_at = models.DateTimeField(_("last contact at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SeenNonce(models.Model):
    """One accepted request nonce; the unique constraint makes replay detection atomic across processes."""

    peer = models.ForeignKey(Peer, on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=128)
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["peer", "nonce"], name="seen_nonce_unique_per_peer")]

    def __str__(self) -> str:
        return f"{self.peer_id}:{self.nonce}"
