"""Audit lockouts reported by django-axes.

Axes sends ``user_locked_out`` when an account-and-address pair reaches the failure
limit and again for every attempt refused while locked; each is one audit entry.
"""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.dispatch import receiver

from huizhen.apps.audit.services import record_event


@receiver(user_locked_out, dispatch_uid="huizhen_audit_locked_out")
def audit_locked_out(sender: Any, request: Any = None, username: str | None = None, **kwargs: Any) -> None:
    record_event(
        action="auth.locked_out",
        actor=username or "",
        detail={"ip_address": kwargs.get("ip_address") or ""},
        outcome="denied",
        request=request,
    )
