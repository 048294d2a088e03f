"""The hub's queues: what waits for triage, whose cases are whose, and overdue cases first and marked."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.template import Context, Template
from django.utils import timezone

from huizhen.apps.consults import selectors
from huizhen.apps.consults.models import State
from tests.consults.hub_factories import AssignmentFactory, hub_case, specialist

pytestmark = pytest.mark.django_db


def _refs(cases: list[Any]) -> list[str]:
    return [c.reference for c in cases]


def test_the_intake_queue_holds_submitted_cases_and_unanswered_questions_from_triage() -> None:
    submitted = hub_case()
    asked = hub_case(state=State.INFO_REQUESTED)
    hub_case(state=State.IN_REVIEW)
    asked_in_review = hub_case(state=State.INFO_REQUESTED, accepted_at=timezone.now())
    queue = _refs(selectors.intake_queue())
    assert set(queue) == {submitted.reference, asked.reference}
    assert asked_in_review.reference not in queue


def test_my_assignments_are_only_my_open_cases() -> None:
    me = specialist()
    mine = AssignmentFactory(specialist=me)
    AssignmentFactory()
    released = AssignmentFactory(specialist=me, released_at=timezone.now())
    assert _refs(selectors.my_assignments(user=me)) == [mine.request.reference]
    assert released.request.reference not in _refs(selectors.my_assignments(user=me))


def test_overdue_cases_come_first_and_are_flagged() -> None:
    now = timezone.now()
    soon = hub_case(state=State.IN_REVIEW, due_at=now + dt.timedelta(days=1))
    late = hub_case(state=State.ACCEPTED, due_at=now - dt.timedelta(days=1))
    cases = selectors.open_cases(now=now)
    assert _refs(cases)[:2] == [late.reference, soon.reference]
    assert [c.overdue for c in cases[:2]] == [True, False]
    assert _refs(selectors.overdue(now=now)) == [late.reference]


def test_closed_and_declined_cases_are_not_open() -> None:
    hub_case(state=State.DECLINED)
    hub_case(state=State.CLOSED)
    assert selectors.open_cases() == []


def test_the_deadline_badge_marks_an_overdue_case() -> None:
    late = hub_case(state=State.IN_REVIEW, due_at=timezone.now() - dt.timedelta(hours=1))
    html = Template("{% load consult_tags %}{% deadline_badge consult %}|{{ consult|overdue_class }}").render(
        Context({"consult": late})
    )
    assert 'class="badge badge-danger deadline-overdue"' in html
    assert html.endswith("|overdue")


def test_the_deadline_badge_shows_a_paused_clock() -> None:
    paused = hub_case(
        state=State.INFO_REQUESTED,
        due_at=timezone.now() + dt.timedelta(days=2),
        paused_at=timezone.now(),
    )
    html = Template("{% load consult_tags %}{% deadline_badge consult %}").render(Context({"consult": paused}))
    assert "deadline-paused" in html
    assert "deadline-overdue" not in html
