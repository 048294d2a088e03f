"""Every authorisation decision of the node, in one module.

Views and API handlers ask a question here (``can_manage_peers(user)``) and, on a
``False``, call :func:`deny` so that the refusal is both a 403 and an audit entry.
Object-level questions take the object, so that scoping rules (a role counts only
at its own institution) live here and nowhere else.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from huizhen.apps.accounts.models import Role


def _roles(user: Any) -> set[str]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    roles: set[str] = user.roles()
    return roles


def is_admin(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False)) or Role.ADMIN in _roles(user)


def can_manage_peers(user: Any) -> bool:
    """Registering or removing a peer node changes where data may flow: admins only."""
    return is_admin(user)


def can_view_peers(user: Any) -> bool:
    return bool(_roles(user)) or is_admin(user)


def can_manage_users(user: Any) -> bool:
    """Seeing every account and its roles is administration: admins only."""
    return is_admin(user)


def can_view_audit_log(user: Any) -> bool:
    return is_admin(user) or Role.PRIVACY_OFFICER in _roles(user)


def can_view_policy(user: Any) -> bool:
    """The policy page shows rule packs, recent decisions and the export register."""
    return is_admin(user) or bool({Role.PRIVACY_OFFICER, Role.PROGRAM_DIRECTOR} & _roles(user))


def can_try_policy(user: Any) -> bool:
    """Trying a request records a real, audited decision: privacy officers (and admins) only."""
    return is_admin(user) or Role.PRIVACY_OFFICER in _roles(user)


#: Roles whose holders may sign off a translation as clinically right: the clinicians of
#: a consult and the program director. A translator is not one of them, so a translation
#: is never approved by the kind of person who produced it.
TRANSLATION_VERIFIER_ROLES = frozenset({Role.REFERRING_PHYSICIAN, Role.CONSULTING_SPECIALIST, Role.PROGRAM_DIRECTOR})

#: Roles that ask for a text to be translated and follow its progress.
TRANSLATION_REQUESTER_ROLES = frozenset(
    {Role.REFERRING_PHYSICIAN, Role.CASE_COORDINATOR, Role.CONSULTING_SPECIALIST, Role.PROGRAM_DIRECTOR}
)


def can_view_translations(user: Any) -> bool:
    """The translation queue and its tasks: translators, verifiers and those who request translations."""
    roles = _roles(user)
    return is_admin(user) or bool(roles & (TRANSLATION_REQUESTER_ROLES | {Role.TRANSLATOR}))


def can_request_translation(user: Any) -> bool:
    return bool(_roles(user) & TRANSLATION_REQUESTER_ROLES)


def can_translate(user: Any, task: Any = None) -> bool:
    """Translators edit; a task someone else has claimed is theirs until it is verified."""
    if Role.TRANSLATOR not in _roles(user):
        return False
    if task is None:
        return True
    return task.translator_id is None or task.translator_id == user.pk


def can_verify_translation(user: Any, task: Any = None) -> bool:
    """A clinician or program director approves, and never the person who translated (four eyes).

    Administrators are not verifiers: approving a translation is a clinical judgement.
    """
    if not _roles(user) & TRANSLATION_VERIFIER_ROLES:
        return False
    return task is None or task.translator_id != user.pk


# -- Consultations (issue 4). Object checks scope by case: at a gateway the referring
# physician who wrote the request and the institution's coordinators; at a hub the
# coordinators, the program director and the specialists assigned to the case.

#: Roles at a gateway that follow their institution's cases.
GATEWAY_CASE_ROLES = frozenset({Role.REFERRING_PHYSICIAN, Role.CASE_COORDINATOR})
#: Roles at a hub that run the intake queue and assign cases.
HUB_COORDINATION_ROLES = frozenset({Role.CASE_COORDINATOR, Role.PROGRAM_DIRECTOR})


def _node_role() -> str:
    from django.conf import settings

    return str(settings.HUIZHEN_ROLE)


def _assigned(user: Any, consult: Any) -> bool:
    return bool(consult.assignments.filter(specialist_id=user.pk, released_at=None).exists())


def can_manage_patients(user: Any) -> bool:
    """The identified registry exists only at a gateway and is kept by its clinicians."""
    return _node_role() == "gateway" and bool(_roles(user) & GATEWAY_CASE_ROLES)


def can_create_case(user: Any) -> bool:
    return _node_role() == "gateway" and Role.REFERRING_PHYSICIAN in _roles(user)


def can_view_case_list(user: Any) -> bool:
    roles = _roles(user)
    if _node_role() == "gateway":
        return bool(roles & GATEWAY_CASE_ROLES)
    return bool(roles & (HUB_COORDINATION_ROLES | {Role.CONSULTING_SPECIALIST}))


def can_view_case(user: Any, consult: Any) -> bool:
    roles = _roles(user)
    if _node_role() == "gateway":
        if Role.CASE_COORDINATOR in roles:
            return True
        return Role.REFERRING_PHYSICIAN in roles and consult.referring_physician_id == user.pk
    if roles & HUB_COORDINATION_ROLES:
        return True
    return Role.CONSULTING_SPECIALIST in roles and _assigned(user, consult)


def can_edit_case(user: Any, consult: Any) -> bool:
    """A draft (or a failed submission) is edited by the physician who wrote it."""
    return (
        _node_role() == "gateway"
        and consult.state in ("draft", "submission_failed")
        and consult.referring_physician_id == user.pk
    )


def can_submit_case(user: Any, consult: Any) -> bool:
    return (
        _node_role() == "gateway"
        and Role.REFERRING_PHYSICIAN in _roles(user)
        and consult.referring_physician_id == user.pk
    )


def can_triage(user: Any) -> bool:
    return _node_role() == "hub" and bool(_roles(user) & HUB_COORDINATION_ROLES)


def can_assign(user: Any) -> bool:
    return can_triage(user)


def can_write_opinion(user: Any, consult: Any) -> bool:
    return _node_role() == "hub" and Role.CONSULTING_SPECIALIST in _roles(user) and _assigned(user, consult)


def can_cosign_opinion(user: Any, opinion: Any) -> bool:
    """Any other specialist or the program director co-signs; never the author (four eyes)."""
    if _node_role() != "hub" or opinion.author_id == user.pk:
        return False
    return bool(_roles(user) & {Role.CONSULTING_SPECIALIST, Role.PROGRAM_DIRECTOR})


def can_post_message(user: Any, consult: Any) -> bool:
    """Physician-to-physician only: the referring side and the hub's clinicians and coordinators."""
    if not can_view_case(user, consult):
        return False
    if _node_role() == "gateway":
        return bool(_roles(user) & GATEWAY_CASE_ROLES)
    return True


def can_record_outcome(user: Any, consult: Any) -> bool:
    return _node_role() == "gateway" and can_view_case(user, consult) and bool(_roles(user) & GATEWAY_CASE_ROLES)


def deny(*, user: Any, action: str, target: str = "", request: Any = None) -> PermissionDenied:
    """Record a permission denial in the audit log and return the exception to raise."""
    from huizhen.apps.audit.services import record_event

    record_event(
        action="permission.denied",
        actor=user,
        target=target,
        detail={"attempted": action},
        request=request,
    )
    return PermissionDenied(action)
