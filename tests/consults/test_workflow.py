"""The consultation state machine: only the moves in the table, only by the roles it names, always audited."""

from __future__ import annotations

from typing import Any

import pytest

from huizhen.apps.accounts.models import Role
from huizhen.apps.audit.models import AuditEntry
from huizhen.apps.consults import workflow
from huizhen.apps.consults.models import ConsultRequest, State
from tests.accounts.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _consult(state: str = State.DRAFT, **fields: Any) -> ConsultRequest:
    return ConsultRequest.objects.create(reference=f"HZ-T-{ConsultRequest.objects.count() + 1}", state=state, **fields)


def _user(role: str) -> Any:
    return MembershipFactory(role=role).user


def test_referring_physician_submits_a_draft_at_the_gateway(settings: Any) -> None:
    settings.HUIZHEN_ROLE = "gateway"
    consult = _consult()
    workflow.transition(consult, State.SUBMITTING, actor=_user(Role.REFERRING_PHYSICIAN))
    consult.refresh_from_db()
    assert consult.state == State.SUBMITTING


def test_a_specialist_cannot_accept_a_case_only_coordination_can() -> None:
    consult = _consult(State.SUBMITTED)
    with pytest.raises(workflow.TransitionRefused):
        workflow.transition(consult, State.ACCEPTED, actor=_user(Role.CONSULTING_SPECIALIST))
    consult.refresh_from_db()
    assert consult.state == State.SUBMITTED


def test_a_refused_move_is_audited_as_denied() -> None:
    consult = _consult(State.SUBMITTED)
    with pytest.raises(workflow.TransitionRefused):
        workflow.transition(consult, State.SIGNED, actor=_user(Role.CONSULTING_SPECIALIST))
    entry = AuditEntry.objects.filter(action="consult.transition").latest("seq")
    assert (entry.outcome, entry.target, entry.detail["to"]) == ("denied", consult.reference, State.SIGNED)


def test_an_allowed_move_is_audited_with_its_step_name() -> None:
    consult = _consult(State.SUBMITTED)
    coordinator = _user(Role.CASE_COORDINATOR)
    workflow.transition(consult, State.ACCEPTED, actor=coordinator)
    entry = AuditEntry.objects.filter(action="consult.transition").latest("seq")
    assert (entry.outcome, entry.actor, entry.detail["step"]) == ("ok", coordinator.username, "accept")


def test_hub_moves_are_refused_on_a_gateway(settings: Any) -> None:
    settings.HUIZHEN_ROLE = "gateway"
    consult = _consult(State.SUBMITTED)
    with pytest.raises(workflow.TransitionRefused):
        workflow.transition(consult, State.ACCEPTED, actor=_user(Role.CASE_COORDINATOR))


def test_the_gateway_mirrors_an_acceptance_only_from_the_peer(settings: Any) -> None:
    settings.HUIZHEN_ROLE = "gateway"
    consult = _consult(State.SUBMITTED)
    with pytest.raises(workflow.TransitionRefused):
        workflow.transition(consult, State.ACCEPTED, actor=_user(Role.REFERRING_PHYSICIAN))
    workflow.transition(consult, State.ACCEPTED, actor=workflow.PEER)
    consult.refresh_from_db()
    assert consult.state == State.ACCEPTED


def test_fields_given_with_a_move_are_saved_with_it() -> None:
    consult = _consult(State.SUBMITTED)
    workflow.transition(consult, State.DECLINED, actor=_user(Role.PROGRAM_DIRECTOR), decline_reason="Outside scope")
    consult.refresh_from_db()
    assert (consult.state, consult.decline_reason) == (State.DECLINED, "Outside scope")


def test_a_move_from_a_stale_copy_is_judged_on_the_stored_state() -> None:
    consult = _consult(State.SUBMITTED)
    stale = ConsultRequest.objects.get(pk=consult.pk)
    workflow.transition(consult, State.DECLINED, actor=_user(Role.CASE_COORDINATOR), decline_reason="duplicate")
    with pytest.raises(workflow.TransitionRefused):
        workflow.transition(stale, State.ACCEPTED, actor=_user(Role.CASE_COORDINATOR))


def test_next_states_lists_what_this_actor_may_do_here() -> None:
    consult = _consult(State.SUBMITTED)
    assert set(workflow.next_states(consult, _user(Role.CASE_COORDINATOR))) == {
        State.ACCEPTED,
        State.INFO_REQUESTED,
        State.DECLINED,
    }
    assert workflow.next_states(consult, _user(Role.TRANSLATOR)) == []


def test_an_anonymous_actor_may_do_nothing() -> None:
    consult = _consult(State.SUBMITTED)
    assert workflow.allowed(consult, State.ACCEPTED, None) is None


def test_every_transition_moves_between_known_states_on_a_known_node() -> None:
    for step in workflow.TRANSITIONS:
        assert step.source in State.values, step
        assert step.target in State.values, step
        assert step.node in (workflow.GATEWAY, workflow.HUB), step
        assert step.by, step


def test_no_state_other_than_closed_and_declined_is_a_dead_end_on_the_hub() -> None:
    sources = {step.source for step in workflow.TRANSITIONS if step.node == workflow.HUB}
    reachable = {step.target for step in workflow.TRANSITIONS if step.node == workflow.HUB} | {State.SUBMITTED}
    assert reachable - sources == {State.CLOSED, State.DECLINED}


def test_a_move_made_by_the_other_node_is_audited_as_the_peer(settings: Any) -> None:
    settings.HUIZHEN_ROLE = "gateway"
    consult = _consult(State.SUBMITTED)
    workflow.transition(consult, State.DECLINED, actor=workflow.PEER)
    assert AuditEntry.objects.filter(action="consult.transition").latest("seq").actor == "peer"
