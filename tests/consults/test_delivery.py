"""Delivery at the gateway: the hub's status mirrored, and its signed opinion verified, stored and delivered."""

from __future__ import annotations

import pytest
from django.core import mail

from huizhen.apps.audit.models import AuditEntry
from huizhen.apps.consults.delivery import on_case_status, on_opinion_signed, signed_opinions
from huizhen.apps.consults.models import ConsultRequest, MessageKind, Notification, Opinion, State
from huizhen.apps.consults.relay import EventRefused
from huizhen.apps.translation.models import TranslationTask
from tests.consults.delivery_support import gateway, gateway_case, hub, signed_opinion_payload  # noqa: F401

pytestmark = pytest.mark.django_db


def _status(consult: ConsultRequest, **payload: object) -> None:
    on_case_status(peer=consult.peer, payload={"reference": consult.reference, **payload}, event_id="e")


def _deliver(consult: ConsultRequest, payload: dict) -> None:
    on_opinion_signed(peer=consult.peer, payload=payload, event_id="e")


@pytest.mark.usefixtures("gateway")
def test_acceptance_by_the_hub_moves_the_gateway_copy_and_mirrors_the_deadline() -> None:
    consult = gateway_case(State.SUBMITTED)

    _status(consult, state="accepted", due_at="2026-12-01T17:00:00+00:00")

    consult.refresh_from_db()
    assert consult.state == State.ACCEPTED
    assert consult.due_at is not None
    assert consult.due_at.isoformat().startswith("2026-12-01T17:00")
    assert Notification.objects.filter(user=consult.referring_physician, verb="case.accepted").exists()


@pytest.mark.usefixtures("gateway")
def test_a_question_from_the_hub_is_kept_as_an_information_request_and_the_physician_is_told() -> None:
    consult = gateway_case(State.ACCEPTED)

    _status(
        consult,
        state="info_requested",
        resume_state="accepted",
        question={
            "uid": "0b7d5f1e-9d8c-4f43-8c52-1f0c6f3a2b11",
            "body": "Please send the PET-CT report.",
            "language": "en",
        },
    )

    consult.refresh_from_db()
    question = consult.messages.get()
    assert consult.state == State.INFO_REQUESTED
    assert consult.resume_state == State.ACCEPTED
    assert question.kind == MessageKind.INFO_REQUEST
    assert question.body == "Please send the PET-CT report."
    assert TranslationTask.objects.filter(case_ref=consult.reference, target_lang="zh").exists()
    assert Notification.objects.filter(user=consult.referring_physician, verb="case.info_requested").exists()


@pytest.mark.usefixtures("gateway")
def test_a_decline_keeps_the_hubs_reason_for_the_physician() -> None:
    consult = gateway_case(State.SUBMITTED)

    _status(consult, state="declined", reason="Outside the program: solid tumour.")

    consult.refresh_from_db()
    assert consult.state == State.DECLINED
    assert consult.decline_reason == "Outside the program: solid tumour."


@pytest.mark.usefixtures("gateway")
def test_a_status_from_a_hub_the_case_was_not_sent_to_is_refused() -> None:
    consult = gateway_case(State.SUBMITTED)
    stranger = gateway_case(State.SUBMITTED).peer

    with pytest.raises(EventRefused):
        on_case_status(peer=stranger, payload={"reference": consult.reference, "state": "accepted"}, event_id="e")

    consult.refresh_from_db()
    assert consult.state == State.SUBMITTED


@pytest.mark.usefixtures("hub")
def test_a_hub_does_not_apply_status_events() -> None:
    consult = gateway_case(State.SUBMITTED)

    with pytest.raises(EventRefused):
        _status(consult, state="accepted")


@pytest.mark.usefixtures("gateway")
def test_a_signed_opinion_is_stored_and_the_case_delivered_with_its_follow_up_date() -> None:
    consult = gateway_case(State.IN_REVIEW)
    payload = signed_opinion_payload(consult)

    _deliver(consult, payload)

    consult.refresh_from_db()
    opinion = consult.opinions.get()
    assert consult.state == State.DELIVERED
    assert consult.delivered_at is not None
    assert (consult.outcome_due_at - consult.delivered_at).days == 90
    assert opinion.status == "signed"
    assert opinion.content_hash == payload["content_hash"]
    assert opinion.signer_name == "Sarah Miller"
    assert opinion.author is None


@pytest.mark.usefixtures("gateway")
def test_the_opinions_free_text_is_queued_for_translation_into_chinese() -> None:
    consult = gateway_case(State.IN_REVIEW)

    _deliver(consult, signed_opinion_payload(consult))

    subjects = set(TranslationTask.objects.filter(case_ref=consult.reference).values_list("subject", flat=True))
    assert subjects == {
        f"{consult.reference}:opinion-v1:workup",
        f"{consult.reference}:opinion-v1:treatment.rationale",
        f"{consult.reference}:opinion-v1:trials",
        f"{consult.reference}:opinion-v1:comments",
    }
    assert set(TranslationTask.objects.values_list("target_lang", flat=True)) == {"zh"}


@pytest.mark.usefixtures("gateway")
def test_the_referring_physician_is_notified_in_app_and_by_email(django_capture_on_commit_callbacks: object) -> None:
    consult = gateway_case(State.IN_REVIEW)
    consult.referring_physician.email = "wei.zhang@hospital.example"
    consult.referring_physician.save()

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        _deliver(consult, signed_opinion_payload(consult))

    assert Notification.objects.filter(user=consult.referring_physician, verb="opinion.delivered").exists()
    assert [m.to for m in mail.outbox] == [["wei.zhang@hospital.example"]]


@pytest.mark.usefixtures("gateway")
def test_an_opinion_whose_content_does_not_match_its_hash_is_refused() -> None:
    consult = gateway_case(State.IN_REVIEW)
    payload = signed_opinion_payload(consult)
    payload["treatment"] = {**payload["treatment"], "regimen": "R-EPOCH"}

    with pytest.raises(EventRefused) as refused:
        _deliver(consult, payload)

    consult.refresh_from_db()
    assert not refused.value.retryable
    assert consult.state == State.IN_REVIEW
    assert not Opinion.objects.filter(request=consult).exists()
    assert AuditEntry.objects.filter(
        action="consult.opinion_refused", target=consult.reference, outcome="denied"
    ).exists()


@pytest.mark.usefixtures("gateway")
def test_an_addendum_supersedes_the_first_opinion_which_stays_visible() -> None:
    consult = gateway_case(State.IN_REVIEW)
    _deliver(consult, signed_opinion_payload(consult))

    _deliver(consult, signed_opinion_payload(consult, version=2, workup="Biopsy first, then decide on CAR-T."))

    consult.refresh_from_db()
    newest, first = signed_opinions(consult)
    assert (newest.version, first.version) == (2, 1)
    assert newest.supersedes == first
    assert newest.addendum_reason == "The biopsy result changed the recommendation."
    assert consult.state == State.DELIVERED


@pytest.mark.usefixtures("gateway")
def test_the_same_opinion_delivered_twice_is_stored_once() -> None:
    consult = gateway_case(State.IN_REVIEW)
    payload = signed_opinion_payload(consult)

    _deliver(consult, payload)
    _deliver(consult, payload)

    assert consult.opinions.count() == 1


@pytest.mark.usefixtures("gateway")
def test_an_opinion_ahead_of_the_case_is_left_for_the_hubs_retry() -> None:
    consult = gateway_case(State.SUBMITTED)

    with pytest.raises(EventRefused) as refused:
        _deliver(consult, signed_opinion_payload(consult))

    assert refused.value.retryable
    assert not consult.opinions.exists()


@pytest.mark.usefixtures("gateway")
def test_an_opinion_written_in_chinese_is_translated_into_english_for_the_bilingual_report() -> None:
    consult = gateway_case(State.IN_REVIEW)

    _deliver(consult, signed_opinion_payload(consult, language="zh", workup="复查PET-CT。", trials="", comments=""))

    task = TranslationTask.objects.get(subject=f"{consult.reference}:opinion-v1:workup")
    assert (task.source_lang, task.target_lang) == ("zh", "en")
