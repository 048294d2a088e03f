"""The consultation state machine: which state may follow which, on which node, by whom.

One table, :data:`TRANSITIONS`, is the whole machine; :func:`transition` is the only
way a :class:`~huizhen.apps.consults.models.ConsultRequest` changes state. It checks
the node role and the actor's role (a ``"peer"`` actor is a verified signed event from
the other node, a ``"system"`` actor is a background task of this node), moves the state,
and writes a ``consult.transition`` audit entry in the same transaction. A refused
move raises :class:`TransitionRefused` and is audited as denied.

Both nodes walk the same states: the gateway mirrors the hub's triage and review states
from the events the hub relays, so the referring physician always sees where the case is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from huizhen.apps.accounts.models import Role
from huizhen.apps.audit.services import record_event
from huizhen.apps.consults.models import ConsultRequest, State

PEER = "peer"
SYSTEM = "system"

GATEWAY = "gateway"
HUB = "hub"

_REFERRING = frozenset({Role.REFERRING_PHYSICIAN})
_GATEWAY_STAFF = frozenset({Role.REFERRING_PHYSICIAN, Role.CASE_COORDINATOR})
_HUB_COORDINATION = frozenset({Role.CASE_COORDINATOR, Role.PROGRAM_DIRECTOR})
_SPECIALIST = frozenset({Role.CONSULTING_SPECIALIST})


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    node: str
    # Institution roles allowed, or the special actors PEER / SYSTEM.
    by: frozenset[str]
    name: str


def _t(source: State, target: State, node: str, by: frozenset[str] | set[str], name: str) -> Transition:
    return Transition(source.value, target.value, node, frozenset(by), name)


TRANSITIONS: tuple[Transition, ...] = (
    # Gateway: the referring physician writes and submits; the pipeline sends.
    _t(State.DRAFT, State.SUBMITTING, GATEWAY, _REFERRING, "submit"),
    _t(State.SUBMISSION_FAILED, State.SUBMITTING, GATEWAY, _GATEWAY_STAFF | {SYSTEM}, "retry"),
    _t(State.SUBMITTING, State.SUBMISSION_FAILED, GATEWAY, {SYSTEM}, "fail"),
    _t(State.SUBMITTING, State.SUBMITTED, GATEWAY, {SYSTEM}, "delivered_to_hub"),
    # Hub: a received case starts at SUBMITTED; triage.
    _t(State.SUBMITTED, State.ACCEPTED, HUB, _HUB_COORDINATION, "accept"),
    _t(State.SUBMITTED, State.INFO_REQUESTED, HUB, _HUB_COORDINATION | _SPECIALIST, "request_info"),
    _t(State.SUBMITTED, State.DECLINED, HUB, _HUB_COORDINATION, "decline"),
    _t(State.ACCEPTED, State.IN_REVIEW, HUB, _HUB_COORDINATION, "assign"),
    _t(State.ACCEPTED, State.INFO_REQUESTED, HUB, _HUB_COORDINATION | _SPECIALIST, "request_info"),
    _t(State.ACCEPTED, State.DECLINED, HUB, _HUB_COORDINATION, "decline"),
    _t(State.IN_REVIEW, State.INFO_REQUESTED, HUB, _HUB_COORDINATION | _SPECIALIST, "request_info"),
    # The referring physician's answer arrives as a peer event and resumes where the case was.
    _t(State.INFO_REQUESTED, State.SUBMITTED, HUB, {PEER}, "info_provided"),
    _t(State.INFO_REQUESTED, State.ACCEPTED, HUB, {PEER}, "info_provided"),
    _t(State.INFO_REQUESTED, State.IN_REVIEW, HUB, {PEER}, "info_provided"),
    _t(State.IN_REVIEW, State.SIGNED, HUB, _SPECIALIST, "sign"),
    _t(State.SIGNED, State.DELIVERED, HUB, {SYSTEM, PEER}, "delivered"),
    # An addendum re-opens nothing: it is a new signed version delivered again.
    _t(State.DELIVERED, State.CLOSED, HUB, {PEER}, "outcome_recorded"),
    # Gateway mirrors of the hub's moves, applied from signed peer events.
    _t(State.SUBMITTED, State.ACCEPTED, GATEWAY, {PEER}, "accepted"),
    _t(State.SUBMITTED, State.INFO_REQUESTED, GATEWAY, {PEER}, "info_requested"),
    _t(State.SUBMITTED, State.DECLINED, GATEWAY, {PEER}, "declined"),
    _t(State.ACCEPTED, State.IN_REVIEW, GATEWAY, {PEER}, "in_review"),
    _t(State.ACCEPTED, State.INFO_REQUESTED, GATEWAY, {PEER}, "info_requested"),
    _t(State.ACCEPTED, State.DECLINED, GATEWAY, {PEER}, "declined"),
    _t(State.IN_REVIEW, State.INFO_REQUESTED, GATEWAY, {PEER}, "info_requested"),
    _t(State.INFO_REQUESTED, State.SUBMITTED, GATEWAY, _GATEWAY_STAFF, "provide_info"),
    _t(State.INFO_REQUESTED, State.ACCEPTED, GATEWAY, _GATEWAY_STAFF, "provide_info"),
    _t(State.INFO_REQUESTED, State.IN_REVIEW, GATEWAY, _GATEWAY_STAFF, "provide_info"),
    _t(State.IN_REVIEW, State.DELIVERED, GATEWAY, {PEER}, "opinion_received"),
    _t(State.ACCEPTED, State.DELIVERED, GATEWAY, {PEER}, "opinion_received"),
    _t(State.DELIVERED, State.CLOSED, GATEWAY, _GATEWAY_STAFF, "record_outcome"),
)


class TransitionRefused(Exception):
    def __init__(self, message: str, *, source: str, target: str) -> None:
        super().__init__(message)
        self.source = source
        self.target = target


def node_role() -> str:
    return str(settings.HUIZHEN_ROLE)


def actor_roles(actor: Any) -> frozenset[str]:
    """The roles that count for ``actor``: PEER/SYSTEM as given, else the user's institution roles."""
    if actor in (PEER, SYSTEM):
        return frozenset({actor})
    if actor is None or not getattr(actor, "is_authenticated", False):
        return frozenset()
    roles: set[str] = actor.roles()
    return frozenset(roles)


def allowed(request: ConsultRequest, target: str, actor: Any, *, node: str | None = None) -> Transition | None:
    """The transition that lets ``actor`` move ``request`` to ``target`` on this node, or None."""
    here = node or node_role()
    roles = actor_roles(actor)
    for candidate in TRANSITIONS:
        if (candidate.source, candidate.target, candidate.node) == (
            request.state,
            target,
            here,
        ) and roles & candidate.by:
            return candidate
    return None


def next_states(request: ConsultRequest, actor: Any, *, node: str | None = None) -> list[str]:
    """The states ``actor`` may move ``request`` to from here (for buttons and the API)."""
    here = node or node_role()
    roles = actor_roles(actor)
    return [t.target for t in TRANSITIONS if t.source == request.state and t.node == here and roles & t.by]


def transition(
    request: ConsultRequest,
    target: str,
    *,
    actor: Any,
    detail: dict[str, Any] | None = None,
    http_request: Any = None,
    **fields: Any,
) -> ConsultRequest:
    """Move ``request`` to ``target`` (setting ``fields`` too) if the machine lets ``actor``; audited.

    The row is re-read under a lock so two concurrent moves cannot both start from the
    same state. Raises :class:`TransitionRefused` (audited as denied) otherwise.
    """
    # The audit names "peer" / "system" for moves made by the other node or a task.
    actor_arg = actor
    with transaction.atomic():
        locked = ConsultRequest.objects.select_for_update().get(pk=request.pk)
        step = allowed(locked, target, actor)
        if step is not None:
            previous = locked.state
            locked.state = target
            for name, value in fields.items():
                setattr(locked, name, value)
            locked.save(update_fields=["state", "updated_at", *fields])
            record_event(
                action="consult.transition",
                actor=actor_arg,
                target=locked.reference,
                detail={"from": previous, "to": target, "step": step.name, **(detail or {})},
                request=http_request,
            )
    if step is None:
        # Recorded outside the refused transaction, so the denial survives it.
        record_event(
            action="consult.transition",
            actor=actor_arg,
            target=locked.reference,
            outcome="denied",
            detail={"from": locked.state, "to": target},
            request=http_request,
        )
        raise TransitionRefused(
            f"{locked.reference}: {locked.state} → {target} is not allowed here for this actor",
            source=locked.state,
            target=target,
        )
    for name in ("state", "updated_at", *fields):
        setattr(request, name, getattr(locked, name))
    return request


def now() -> Any:
    return timezone.now()
