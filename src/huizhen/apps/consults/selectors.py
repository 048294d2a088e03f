"""Reading consultations at the hub: the intake queue, a specialist's cases, open cases and deadlines.

Every list is ordered so that what is most pressing comes first (overdue, then by due
date) and each case carries ``overdue`` (a bool computed by
:func:`huizhen.apps.consults.deadlines.is_overdue`) so that every queue can make an
overdue case stand out the same way (``{% deadline_badge consult %}`` in
``consults_tags``). Who may see which list is decided in
:mod:`huizhen.apps.accounts.permissions`; these functions only read.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from huizhen.apps.accounts.models import Membership, Role
from huizhen.apps.accounts.permissions import HUB_COORDINATION_ROLES
from huizhen.apps.consults import deadlines
from huizhen.apps.consults.models import Assignment, ConsultRequest, Opinion, State

#: Cases waiting for triage (an INFO_REQUESTED case from intake is back once answered).
INTAKE_STATES = (State.SUBMITTED, State.INFO_REQUESTED)
#: Cases the hub still owes something on.
OPEN_STATES = (State.SUBMITTED, State.INFO_REQUESTED, State.ACCEPTED, State.IN_REVIEW, State.SIGNED)


def _annotated(consults: Iterable[ConsultRequest], now: datetime | None = None) -> list[ConsultRequest]:
    """The cases with ``overdue`` set, overdue first, then by due date, then oldest first."""
    moment = now or timezone.now()
    result = list(consults)
    for consult in result:
        consult.overdue = deadlines.is_overdue(consult, now=moment)  # type: ignore[attr-defined]
    far = datetime.max.replace(tzinfo=moment.tzinfo)
    result.sort(
        key=lambda c: (not c.overdue, c.due_at or far, c.submitted_at or c.created_at)  # type: ignore[attr-defined]
    )
    return result


def _hub_cases() -> QuerySet[ConsultRequest]:
    return ConsultRequest.objects.filter(patient__isnull=True).select_related("peer")


def intake_queue(*, now: datetime | None = None) -> list[ConsultRequest]:
    """Cases waiting for triage, and those waiting for the referring physician's answer."""
    return _annotated(_hub_cases().filter(state__in=INTAKE_STATES, accepted_at__isnull=True), now)


def awaiting_assignment(*, now: datetime | None = None) -> list[ConsultRequest]:
    return _annotated(_hub_cases().filter(state=State.ACCEPTED), now)


def open_cases(*, now: datetime | None = None) -> list[ConsultRequest]:
    """Every case the hub still owes something on, with its deadline."""
    return _annotated(_hub_cases().filter(state__in=OPEN_STATES), now)


def my_assignments(*, user: Any, now: datetime | None = None) -> list[ConsultRequest]:
    """The open cases ``user`` is assigned to (not released)."""
    cases = _hub_cases().filter(assignments__specialist=user.pk, assignments__released_at=None, state__in=OPEN_STATES)
    return _annotated(cases.distinct(), now)


def overdue(*, now: datetime | None = None) -> list[ConsultRequest]:
    """Open cases past their deadline."""
    return [consult for consult in open_cases(now=now) if consult.overdue]  # type: ignore[attr-defined]


def case_by_reference(reference: str) -> ConsultRequest | None:
    return _hub_cases().filter(reference=reference).first()


def active_assignments(consult: ConsultRequest) -> list[Assignment]:
    return list(consult.assignments.filter(released_at=None).select_related("specialist").order_by("-lead", "id"))


def assigned_specialists(consult: ConsultRequest) -> list[Any]:
    return [assignment.specialist for assignment in active_assignments(consult)]


def hub_coordinators() -> list[Any]:
    """Everyone who runs the intake queue (coordinators and the program director)."""
    user_ids = Membership.objects.filter(role__in=HUB_COORDINATION_ROLES).values_list("user_id", flat=True)
    return list(get_user_model().objects.filter(pk__in=user_ids, is_active=True))


def hub_specialists() -> QuerySet[Any]:
    """Consulting specialists with their count of open assignments (``open_load``)."""
    user_ids = Membership.objects.filter(role=Role.CONSULTING_SPECIALIST).values_list("user_id", flat=True)
    open_assignment = Q(assignments__released_at=None, assignments__request__state__in=OPEN_STATES)
    return (
        get_user_model()
        .objects.filter(pk__in=user_ids, is_active=True)
        .select_related("specialist_profile")
        .annotate(open_load=Count("assignments", filter=open_assignment, distinct=True))
        .order_by("last_name", "first_name", "username")
    )


def opinions_of(consult: ConsultRequest) -> list[Opinion]:
    return list(consult.opinions.select_related("author", "cosigner").order_by("version"))


def current_opinion(consult: ConsultRequest) -> Opinion | None:
    """The latest version (draft or signed)."""
    return consult.opinions.order_by("-version").first()


def signed_opinions(consult: ConsultRequest) -> list[Opinion]:
    return list(consult.opinions.filter(status="signed").order_by("version"))


def information_requests(consult: ConsultRequest) -> QuerySet[Any]:
    return consult.messages.filter(kind__in=["info_request", "info_response"]).order_by("created_at", "id")
