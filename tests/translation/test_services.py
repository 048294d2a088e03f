"""Translation services: the human queue, machine drafts in the background, editing, four eyes, audit."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import IntegrityError, transaction
from django.test import override_settings

from huizhen.apps.accounts.models import Role
from huizhen.apps.audit.models import AuditEntry
from huizhen.apps.translation import services
from huizhen.apps.translation.models import Status, TranslationTask
from huizhen.apps.translation.workflow import IllegalTransition, TransitionRefused
from tests.accounts.factories import MembershipFactory
from tests.translation.factories import (
    REFERRAL_EN,
    REFERRAL_ZH,
    EchoEngine,
    FailingEngine,
    LoopbackTranslationService,
    TranslationTaskFactory,
    machine_drafted,
    person,
    submitted,
)

pytestmark = pytest.mark.django_db

IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
NO_ENGINE = {"HUIZHEN_TRANSLATION_ENGINE": "none", "HUIZHEN_TRANSLATION_URL": "", "HUIZHEN_TRANSLATION_API_KEY": ""}


@pytest.fixture
def echo_engine(monkeypatch: pytest.MonkeyPatch) -> EchoEngine:
    engine = EchoEngine()
    monkeypatch.setattr(services, "configured_engine", lambda settings: engine)
    return engine


@pytest.fixture
def immediate_tasks() -> Iterator[None]:
    with override_settings(TASKS=IMMEDIATE_TASKS):
        yield


def _request(by: object, text: str = REFERRAL_ZH) -> TranslationTask:
    return services.request_translation(
        text=text, source="zh", target="en", subject="Referral letter", case_ref="HZ-2026-0001", by=by
    )


def _actions(task: TranslationTask) -> list[str]:
    return list(AuditEntry.objects.filter(target=task.target).order_by("seq").values_list("action", flat=True))


@override_settings(HUIZHEN_TRANSLATION=NO_ENGINE)
def test_without_an_engine_a_request_waits_in_the_human_queue() -> None:
    task = _request(person(Role.REFERRING_PHYSICIAN))

    assert (task.status, task.machine_text, task.machine_engine) == (Status.QUEUED, "", "")
    assert not task.awaiting_machine
    requested = AuditEntry.objects.get(action="translation.requested")
    assert requested.detail["route"] == "human"
    assert REFERRAL_ZH not in str(requested.detail), "audit details never carry the text"


def test_with_an_engine_the_machine_draft_is_made_by_the_background_task(
    echo_engine: EchoEngine, immediate_tasks: None, django_capture_on_commit_callbacks: object
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        task = _request(person(Role.REFERRING_PHYSICIAN))

    task.refresh_from_db()
    assert task.status == Status.MACHINE_DRAFT
    assert task.machine_text.startswith("[zh->en]")
    assert (task.machine_engine, task.machine_model, task.machine_method) == ("echo", "echo-1", "machine")
    assert task.machine_at is not None
    assert _actions(task) == ["translation.requested", "translation.machine_draft"]


def test_the_draft_is_not_made_inside_the_web_request(echo_engine: EchoEngine) -> None:
    task = _request(person(Role.REFERRING_PHYSICIAN))

    assert echo_engine.calls == 0
    assert task.status == Status.QUEUED
    assert task.awaiting_machine


def test_glossary_terms_keep_their_preferred_translation_in_the_machine_draft(echo_engine: EchoEngine) -> None:
    task = TranslationTaskFactory(machine_engine="echo")

    services.store_machine_draft(task_id=task.pk)

    task.refresh_from_db()
    assert "diffuse large B-cell lymphoma" in task.machine_text
    assert "弥漫大B细胞淋巴瘤" not in task.machine_text


def test_a_failing_engine_leaves_the_task_queued_for_a_human(
    monkeypatch: pytest.MonkeyPatch, immediate_tasks: None, django_capture_on_commit_callbacks: object
) -> None:
    monkeypatch.setattr(services, "configured_engine", lambda settings: FailingEngine())

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        task = _request(person(Role.REFERRING_PHYSICIAN))

    task.refresh_from_db()
    assert (task.status, task.machine_text) == (Status.QUEUED, "")
    assert AuditEntry.objects.filter(action="task.gave_up", outcome="failed").exists()


def test_a_draft_arriving_after_a_translator_claimed_the_task_is_dropped(echo_engine: EchoEngine) -> None:
    task = TranslationTaskFactory(machine_engine="echo")
    services.claim_task(task=task, by=person(Role.TRANSLATOR))

    services.store_machine_draft(task_id=task.pk)

    task.refresh_from_db()
    assert (task.status, task.machine_text) == (Status.IN_REVIEW, "")
    skipped = AuditEntry.objects.get(action="translation.machine_draft_skipped")
    assert skipped.detail == {"status": "in_review", "reason": "status"}


def test_the_http_engine_talks_to_the_institutions_service_over_loopback(
    immediate_tasks: None, django_capture_on_commit_callbacks: object
) -> None:
    service = LoopbackTranslationService()
    configured = {**NO_ENGINE, "HUIZHEN_TRANSLATION_ENGINE": "http", "HUIZHEN_TRANSLATION_URL": service.url}
    with (
        service.running(),
        override_settings(HUIZHEN_TRANSLATION=configured),
        django_capture_on_commit_callbacks(execute=True),  # type: ignore[operator]
    ):
        task = _request(person(Role.REFERRING_PHYSICIAN), text="患者诉乏力两周。")

    task.refresh_from_db()
    assert task.status == Status.MACHINE_DRAFT
    assert task.machine_text.startswith("MT(zh→en):")
    assert task.machine_engine.startswith("http:127.0.0.1")
    assert service.requests[0]["path"] == "/translate"


def test_claiming_a_machine_draft_starts_the_translator_from_the_draft() -> None:
    task = machine_drafted()
    translator = person(Role.TRANSLATOR)

    task = services.claim_task(task=task, by=translator)

    assert (task.status, task.translator, task.human_text) == (Status.IN_REVIEW, translator, REFERRAL_EN)


def test_a_task_another_translator_claimed_cannot_be_claimed_again() -> None:
    task = services.claim_task(task=TranslationTaskFactory(), by=person(Role.TRANSLATOR))

    with pytest.raises(TransitionRefused):
        services.claim_task(task=task, by=person(Role.TRANSLATOR))


def test_only_the_claiming_translator_can_save() -> None:
    task = services.claim_task(task=TranslationTaskFactory(), by=person(Role.TRANSLATOR))

    with pytest.raises(TransitionRefused):
        services.save_translation(task=task, text="Someone else's words", by=person(Role.TRANSLATOR))


def test_a_clinician_who_is_not_a_translator_cannot_claim() -> None:
    with pytest.raises(TransitionRefused):
        services.claim_task(task=TranslationTaskFactory(), by=person(Role.CONSULTING_SPECIALIST))


def test_an_empty_translation_cannot_be_submitted() -> None:
    translator = person(Role.TRANSLATOR)
    task = services.claim_task(task=TranslationTaskFactory(), by=translator)

    with pytest.raises(TransitionRefused):
        services.submit_for_verification(task=task, by=translator)


def test_a_queued_task_cannot_be_verified() -> None:
    with pytest.raises(IllegalTransition):
        services.verify(task=TranslationTaskFactory(), by=person(Role.CONSULTING_SPECIALIST))


def test_the_whole_path_from_request_to_verification_is_audited_step_by_step(echo_engine: EchoEngine) -> None:
    translator, verifier = person(Role.TRANSLATOR), person(Role.CONSULTING_SPECIALIST)
    task = _request(person(Role.REFERRING_PHYSICIAN))
    services.store_machine_draft(task_id=task.pk)

    task = services.claim_task(task=task, by=translator)
    task = services.save_translation(task=task, text=REFERRAL_EN, by=translator)
    task = services.submit_for_verification(task=task, by=translator)
    task = services.verify(task=task, by=verifier)

    assert (task.status, task.verified_by, task.translator) == (Status.VERIFIED, verifier, translator)
    assert _actions(task) == [
        "translation.requested",
        "translation.machine_draft",
        "translation.claimed",
        "translation.saved",
        "translation.submitted",
        "translation.verified",
    ]
    verified = AuditEntry.objects.get(action="translation.verified")
    assert (verified.actor, verified.detail["from"], verified.detail["to"]) == (
        verifier.username,
        "translated",
        "verified",
    )


def test_the_translator_cannot_verify_their_own_translation_even_as_a_clinician() -> None:
    translator = person(Role.TRANSLATOR)
    MembershipFactory(user=translator, role=Role.CONSULTING_SPECIALIST)
    task = submitted(translator=translator)

    with pytest.raises(TransitionRefused, match="own translator"):
        services.verify(task=task, by=translator)
    task.refresh_from_db()
    assert task.status == Status.TRANSLATED


def test_the_database_refuses_a_verifier_who_is_the_translator() -> None:
    task = submitted()

    with pytest.raises(IntegrityError), transaction.atomic():
        TranslationTask.objects.filter(pk=task.pk).update(verified_by=task.translator)


def test_rejecting_returns_the_task_to_its_translator_with_the_comment() -> None:
    task = submitted()
    translator = task.translator

    task = services.reject(task=task, by=person(Role.PROGRAM_DIRECTOR), comment="“CR” is complete remission here.")

    assert (task.status, task.review_comment) == (Status.REJECTED, "“CR” is complete remission here.")
    task = services.claim_task(task=task, by=translator)
    assert task.status == Status.IN_REVIEW
    with pytest.raises(TransitionRefused):
        services.claim_task(task=task, by=person(Role.TRANSLATOR))


def test_a_rejection_needs_a_comment() -> None:
    with pytest.raises(TransitionRefused):
        services.reject(task=submitted(), by=person(Role.CONSULTING_SPECIALIST), comment="  ")


def test_a_request_between_the_same_languages_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot translate"):
        services.request_translation(
            text="文本", source="zh", target="zh", subject="x", case_ref="", by=person(Role.REFERRING_PHYSICIAN)
        )
