"""The translation task's state machine: which step may follow which, and nothing else."""

from __future__ import annotations

import pytest

from huizhen.apps.translation.models import Status
from huizhen.apps.translation.workflow import TRANSITIONS, Event, IllegalTransition, advance, allowed

LEGAL = [
    (Status.QUEUED, Event.MACHINE_DRAFT, Status.MACHINE_DRAFT),
    (Status.QUEUED, Event.CLAIM, Status.IN_REVIEW),
    (Status.MACHINE_DRAFT, Event.CLAIM, Status.IN_REVIEW),
    (Status.REJECTED, Event.CLAIM, Status.IN_REVIEW),
    (Status.IN_REVIEW, Event.SAVE, Status.IN_REVIEW),
    (Status.IN_REVIEW, Event.SUBMIT, Status.TRANSLATED),
    (Status.TRANSLATED, Event.VERIFY, Status.VERIFIED),
    (Status.TRANSLATED, Event.REJECT, Status.REJECTED),
]


@pytest.mark.parametrize(("status", "event", "after"), LEGAL)
def test_each_legal_step_leads_to_its_status(status: Status, event: Event, after: Status) -> None:
    assert advance(status, event) == after


def test_the_table_has_exactly_the_documented_steps() -> None:
    assert set(TRANSITIONS.items()) == {((status, event), after) for status, event, after in LEGAL}


@pytest.mark.parametrize(
    ("status", "event"),
    [
        (status, event)
        for status in Status
        for event in Event
        if (status, event) not in {(legal[0], legal[1]) for legal in LEGAL}
    ],
)
def test_every_other_step_is_refused(status: Status, event: Event) -> None:
    assert not allowed(status, event)
    with pytest.raises(IllegalTransition):
        advance(status, event)


def test_a_machine_draft_cannot_be_verified_without_a_translator() -> None:
    with pytest.raises(IllegalTransition, match="cannot be verified"):
        advance(Status.MACHINE_DRAFT, Event.VERIFY)


def test_a_verified_translation_is_final() -> None:
    assert not any(allowed(Status.VERIFIED, event) for event in Event)


def test_an_unknown_status_is_refused_rather_than_crashing() -> None:
    with pytest.raises(IllegalTransition):
        advance("archived", Event.CLAIM)
