"""Assigning specialists at the hub: suggestions with their reasons, confirmed by a coordinator.

:func:`suggest_specialists` ranks the hub's consulting specialists for a case by four
things a coordinator weighs anyway — the case's subspecialty among theirs
(:class:`~huizhen.apps.consults.models.SpecialistProfile`), whether they read the
language the referring physician wrote in (a Chinese case is best read by someone who
reads Chinese, rather than only through its translation), their current load (open
assignments) and how that load fits the time left before the deadline. Each
:class:`Suggestion` carries its score and one line per factor explaining it. Nothing is
assigned until a coordinator confirms with :func:`assign` (ACCEPTED → IN_REVIEW,
relayed to the gateway, the specialists notified); :func:`release` takes someone off.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huizhen.apps.accounts import permissions
from huizhen.apps.audit.services import record_event
from huizhen.apps.consults import deadlines, selectors, workflow
from huizhen.apps.consults.models import Assignment, ConsultRequest, SpecialistProfile, State
from huizhen.apps.consults.notifications import notify
from huizhen.apps.consults.triage import ensure_allowed, relay_status

SUBSPECIALTY_MATCH = 50
LANGUAGE_MATCH = 20
PER_OPEN_CASE = 5
DEADLINE_SQUEEZE = 15

_LANGUAGE_NAMES = {"zh": "Chinese", "en": "English"}


class AssignmentError(ValueError):
    """The assignment asked for cannot be made (nobody chosen, not a specialist, lead not chosen)."""


@dataclass(frozen=True)
class Suggestion:
    specialist: Any
    score: int
    open_cases: int
    reasons: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return str(self.specialist.get_full_name() or self.specialist.username)


def _profile(user: Any) -> SpecialistProfile | None:
    try:
        profile: SpecialistProfile = user.specialist_profile
    except SpecialistProfile.DoesNotExist:
        return None
    return profile


def _business_days_left(consult: ConsultRequest) -> float:
    if consult.due_at is None:
        return float(deadlines.business_days_for(program=consult.program, urgency=consult.urgency))
    left = deadlines.business_time_left(consult) or timedelta(0)
    return left.total_seconds() / 86400


def suggest_specialists(consult: ConsultRequest) -> list[Suggestion]:
    """The hub's specialists, best fit first, each with the reasons for its score."""
    days_left = _business_days_left(consult)
    language = consult.language or "en"
    language_name = _LANGUAGE_NAMES.get(language, language)
    suggestions: list[Suggestion] = []
    for user in selectors.hub_specialists():
        profile = _profile(user)
        subspecialties = set(profile.subspecialties) if profile else set()
        languages = set(profile.languages) if profile else set()
        score = 0
        reasons: list[str] = []
        if consult.subspecialty and consult.subspecialty in subspecialties:
            score += SUBSPECIALTY_MATCH
            reasons.append(
                _("+%(n)d reviews %(subspecialty)s")
                % {"n": SUBSPECIALTY_MATCH, "subspecialty": consult.get_subspecialty_display()}
            )
        else:
            reasons.append(_("+0 does not list this subspecialty"))
        if language in languages:
            score += LANGUAGE_MATCH
            reasons.append(_("+%(n)d reads %(language)s") % {"n": LANGUAGE_MATCH, "language": language_name})
        else:
            reasons.append(_("+0 reads %(language)s only in translation") % {"language": language_name})
        load: int = user.open_load
        if load:
            score -= PER_OPEN_CASE * load
            reasons.append(_("−%(n)d has %(load)d open case(s)") % {"n": PER_OPEN_CASE * load, "load": load})
        else:
            reasons.append(_("−0 has no open cases"))
        if load and load >= days_left:
            score -= DEADLINE_SQUEEZE
            reasons.append(
                _("−%(n)d %(load)d open case(s) with %(days).1f business day(s) left before the deadline")
                % {"n": DEADLINE_SQUEEZE, "load": load, "days": days_left}
            )
        else:
            reasons.append(_("−0 the deadline (%(days).1f business days) fits the load") % {"days": days_left})
        suggestions.append(Suggestion(specialist=user, score=score, open_cases=load, reasons=reasons))
    suggestions.sort(key=lambda s: (-s.score, s.open_cases, s.name))
    return suggestions


def _require_assigner(consult: ConsultRequest, by: Any, action: str, http_request: Any) -> None:
    if not permissions.can_assign(by):
        raise permissions.deny(user=by, action=action, target=consult.reference, request=http_request)


def assign(
    *,
    consult: ConsultRequest,
    specialists: Sequence[Any],
    lead: Any,
    by: Any,
    http_request: Any = None,
) -> list[Assignment]:
    """Put ``specialists`` on the case, ``lead`` as lead reviewer; an ACCEPTED case goes IN_REVIEW."""
    _require_assigner(consult, by, "consult.assign", http_request)
    chosen = list({user.pk: user for user in specialists}.values())
    if not chosen:
        raise AssignmentError(_("Choose at least one specialist."))
    specialist_ids = set(selectors.hub_specialists().values_list("pk", flat=True))
    strangers = [user for user in chosen if user.pk not in specialist_ids]
    if strangers:
        raise AssignmentError(_("Only consulting specialists of this hub can be assigned."))
    if lead is None or lead.pk not in {user.pk for user in chosen}:
        raise AssignmentError(_("The lead reviewer must be one of the chosen specialists."))
    moving = consult.state == State.ACCEPTED
    if moving:
        ensure_allowed(consult, State.IN_REVIEW, actor=by, http_request=http_request)
    elif consult.state not in (State.IN_REVIEW, State.INFO_REQUESTED):
        raise AssignmentError(_("Only an accepted case or one in review can be assigned."))
    with transaction.atomic():
        already = {a.specialist_id: a for a in selectors.active_assignments(consult)}
        consult.assignments.filter(released_at=None).exclude(specialist=lead.pk).update(lead=False)
        created: list[Assignment] = []
        for user in chosen:
            is_lead = user.pk == lead.pk
            if user.pk in already:
                Assignment.objects.filter(pk=already[user.pk].pk).update(lead=is_lead)
                continue
            created.append(Assignment.objects.create(request=consult, specialist=user, lead=is_lead, assigned_by=by))
        record_event(
            action="consult.assigned",
            actor=by,
            target=consult.reference,
            detail={"specialists": [user.username for user in chosen], "lead": lead.username},
            request=http_request,
        )
        if moving:
            workflow.transition(consult, State.IN_REVIEW, actor=by, http_request=http_request)
            relay_status(consult, http_request=http_request)
        notify(
            users=[assignment.specialist for assignment in created],
            request=consult,
            verb="assigned",
            text=_("You were assigned to review case %(reference)s.") % {"reference": consult.reference},
        )
    return created


def release(*, assignment: Assignment, by: Any, http_request: Any = None) -> Assignment:
    """Take a specialist off a case (their drafts stay; they can no longer edit)."""
    consult = assignment.request
    _require_assigner(consult, by, "consult.release", http_request)
    if assignment.released_at is not None:
        return assignment
    with transaction.atomic():
        assignment.released_at = timezone.now()
        assignment.save(update_fields=["released_at"])
        record_event(
            action="consult.assignment_released",
            actor=by,
            target=consult.reference,
            detail={"specialist": assignment.specialist.username},
            request=http_request,
        )
        notify(
            users=[assignment.specialist],
            request=consult,
            verb="released",
            text=_("You were taken off case %(reference)s.") % {"reference": consult.reference},
        )
    return assignment
