"""Reading translation tasks: the queue as each person sees it, and one task with its people.

"Waiting for me" is the default view of the queue: a translator sees what is open to
claim and their own work in progress or returned; a verifier sees submitted
translations they did not translate themselves; anyone sees the tasks they requested
that are not yet verified. A status filter shows every task in that status instead.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from huizhen.apps.accounts import permissions
from huizhen.apps.translation.models import Status, TranslationTask

MINE = "mine"


def _with_people(tasks: QuerySet[TranslationTask]) -> QuerySet[TranslationTask]:
    return tasks.select_related("translator", "verified_by", "requested_by")


def waiting_for(user: Any) -> QuerySet[TranslationTask]:
    """Tasks in which ``user`` has the next step, or which they requested and are still open."""
    condition = Q(requested_by=user.pk) & ~Q(status=Status.VERIFIED)
    if permissions.can_translate(user):
        condition |= Q(status__in=[Status.QUEUED, Status.MACHINE_DRAFT], translator__isnull=True)
        condition |= Q(status__in=[Status.IN_REVIEW, Status.REJECTED], translator=user.pk)
    if permissions.can_verify_translation(user):
        condition |= Q(status=Status.TRANSLATED) & ~Q(translator=user.pk)
    return _with_people(TranslationTask.objects.filter(condition))


def queue(*, user: Any, status: str = MINE) -> QuerySet[TranslationTask]:
    """The queue page's list: ``status`` is a :class:`Status` value, or ``"mine"`` for :func:`waiting_for`."""
    if status in Status.values:
        return _with_people(TranslationTask.objects.filter(status=status))
    return waiting_for(user)


def task_by_id(task_id: int) -> TranslationTask | None:
    return _with_people(TranslationTask.objects.filter(pk=task_id)).first()
