"""Telling people that a case needs them: an in-app notification and an e-mail.

E-mail goes through Django's mail backend (the console backend in the demo, SMTP in
production via the standard ``EMAIL_*`` settings). The text names the case reference
and never patient data: at a gateway the reference is enough for the physician to find
the case, and an e-mail is not a channel patient data may travel on.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from huizhen.apps.consults.models import ConsultRequest, Notification


def notify(*, users: Iterable[Any], request: ConsultRequest | None, verb: str, text: str) -> list[Notification]:
    """One notification per user (duplicates and users without accounts dropped); e-mail after commit."""
    created: list[Notification] = []
    seen: set[int] = set()
    for user in users:
        if user is None or user.pk in seen:
            continue
        seen.add(user.pk)
        created.append(Notification.objects.create(user=user, request=request, verb=verb, text=text[:500]))
    if created:
        ids = [note.pk for note in created]
        transaction.on_commit(lambda: _send_emails(ids))
    return created


def _send_emails(ids: list[int]) -> None:
    for note in Notification.objects.filter(pk__in=ids, emailed_at=None).select_related("user", "request"):
        if not note.user.email:
            continue
        subject = f"[Huizhen] {note.request.reference if note.request else ''} {note.verb}".strip()
        url = settings.HUIZHEN_PUBLIC_URL.rstrip("/") + (f"/cases/{note.request.reference}/" if note.request else "/")
        send_mail(subject, f"{note.text}\n\n{url}\n", None, [note.user.email], fail_silently=True)
        Notification.objects.filter(pk=note.pk).update(emailed_at=timezone.now())


def unread_for(user: Any) -> list[Notification]:
    return list(Notification.objects.filter(user=user, read_at=None).select_related("request")[:50])
