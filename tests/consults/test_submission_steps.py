"""The submission pipeline's steps in one process: what stops a case before anything is sent, and retrying."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.test import TestCase, override_settings
from django.utils import timezone

from huizhen.apps.consults import submission
from huizhen.apps.consults.models import ConsultRequest, Notification, OutboundEvent, State
from huizhen.apps.consults.workflow import TransitionRefused
from huizhen.apps.nodes.models import Peer
from tests.accounts.factories import MembershipFactory
from tests.consults.factories import ConsultRequestFactory, HubPeerFactory, PartnerAgreementFactory
from tests.nodes.factories import PeerFactory

pytestmark = pytest.mark.django_db

IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def gateway(settings: Any) -> None:
    settings.HUIZHEN_ROLE = "gateway"
    settings.HUIZHEN_COUNTRY = "CN"


def _submitting(**kwargs: Any) -> ConsultRequest:
    consult = ConsultRequestFactory(**kwargs)
    ConsultRequest.objects.filter(pk=consult.pk).update(state=State.SUBMITTING)
    consult.refresh_from_db()
    return consult


def _unreachable_hub() -> Peer:
    peer = PeerFactory(base_url="http://127.0.0.1:9", role=Peer.Role.HUB)
    PartnerAgreementFactory(peer=peer)
    return peer


def test_a_policy_refusal_fails_the_case_with_the_reasons_in_both_languages() -> None:
    consult = _submitting()
    consult.peer.agreement.impact_assessment = False
    consult.peer.agreement.save()

    state = submission.run_submission(reference=consult.reference)

    consult.refresh_from_db()
    assert state == consult.state == State.SUBMISSION_FAILED
    assert "CN-PI-03" in consult.last_error
    assert "影响评估" in consult.last_error


def test_a_refused_case_sends_nothing() -> None:
    consult = _submitting()
    consult.peer.agreement.standard_contract = False
    consult.peer.agreement.save()

    submission.run_submission(reference=consult.reference)

    assert not OutboundEvent.objects.exists()


def test_the_physician_is_told_when_a_submission_fails() -> None:
    consult = _submitting(peer=HubPeerFactory(agreement__standard_contract=False))

    submission.run_submission(reference=consult.reference)

    assert Notification.objects.filter(user=consult.referring_physician, verb="submission_failed").exists()


def test_an_unreachable_hub_leaves_the_case_failed_with_the_reason() -> None:
    consult = _submitting(peer=_unreachable_hub())

    submission.run_submission(reference=consult.reference)

    consult.refresh_from_db()
    assert consult.state == State.SUBMISSION_FAILED
    assert "could not be reached" in consult.last_error


def test_retry_puts_a_failed_case_back_on_its_way() -> None:
    consult = _submitting(peer=_unreachable_hub())
    submission.run_submission(reference=consult.reference)
    consult.refresh_from_db()

    with override_settings(TASKS=IMMEDIATE_TASKS):
        submission.retry_submission(consult=consult, by=consult.referring_physician)

    consult.refresh_from_db()
    assert consult.state == State.SUBMITTING


def test_only_the_gateways_staff_may_retry() -> None:
    consult = _submitting(peer=_unreachable_hub())
    submission.run_submission(reference=consult.reference)
    consult.refresh_from_db()
    stranger = MembershipFactory().user  # a consulting specialist

    with pytest.raises(TransitionRefused):
        submission.retry_submission(consult=consult, by=stranger)


def test_the_pipeline_leaves_a_case_that_is_not_submitting_alone() -> None:
    consult = ConsultRequestFactory(state=State.DRAFT)

    assert submission.run_submission(reference=consult.reference) == State.DRAFT


def test_an_unexpected_error_fails_the_case_instead_of_leaving_it_submitting(monkeypatch: pytest.MonkeyPatch) -> None:
    consult = _submitting()

    def broken(**_kwargs: Any) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("huizhen.apps.consults.packaging.build_package", broken)

    submission.run_submission(reference=consult.reference)

    consult.refresh_from_db()
    assert consult.state == State.SUBMISSION_FAILED
    assert "disk on fire" not in consult.last_error


def test_the_package_classes_follow_the_attachments() -> None:
    consult = ConsultRequestFactory()

    assert submission.data_classes_of(consult) == ["clinical_summary"]


def test_a_case_stuck_submitting_is_put_back_on_its_way() -> None:
    hub = _unreachable_hub()
    stuck = _submitting(peer=hub)
    fresh = _submitting(peer=hub)
    ConsultRequest.objects.filter(pk=stuck.pk).update(updated_at=timezone.now() - dt.timedelta(hours=2))

    with override_settings(TASKS=IMMEDIATE_TASKS), TestCase.captureOnCommitCallbacks(execute=True):
        resumed = submission.resume_stalled_submissions()

    stuck.refresh_from_db()
    fresh.refresh_from_db()
    assert resumed == [stuck.reference]
    assert stuck.state == State.SUBMISSION_FAILED  # its pipeline ran again (and met the unreachable hub)
    assert fresh.state == State.SUBMITTING


def test_the_stalled_submissions_command_reports_what_it_resumed() -> None:
    stuck = _submitting(peer=_unreachable_hub())
    ConsultRequest.objects.filter(pk=stuck.pk).update(updated_at=timezone.now() - dt.timedelta(hours=2))
    out = io.StringIO()

    call_command("consults_submissions", stdout=out)

    assert f"resumed {stuck.reference}" in out.getvalue()
