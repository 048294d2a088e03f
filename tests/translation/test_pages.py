"""The /translations/ pages: queue, task page with provenance, editor, verification, audit and refusals."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from huizhen.apps.accounts.models import Role
from huizhen.apps.audit.models import AuditEntry
from huizhen.apps.translation import services
from huizhen.apps.translation.models import Status, TranslationTask
from tests.accounts.factories import sign_in
from tests.translation.factories import (
    REFERRAL_EN,
    EchoEngine,
    TranslationTaskFactory,
    machine_drafted,
    person,
    submitted,
)

pytestmark = pytest.mark.django_db


def _page(client: Client, task: TranslationTask) -> str:
    response = client.get(reverse("translation:task", args=[task.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_privacy_officer_is_refused_the_queue_and_the_refusal_is_audited(client: Client) -> None:
    user = sign_in(client, role=Role.PRIVACY_OFFICER)

    response = client.get(reverse("translation:queue"))

    assert response.status_code == 403
    denial = AuditEntry.objects.filter(action="permission.denied").latest("seq")
    assert (denial.actor, denial.target, denial.detail["attempted"]) == (
        user.username,
        "translations",
        "translation.queue",
    )


def test_the_nav_links_the_queue_for_translators_only_among_these(client: Client) -> None:
    sign_in(client, role=Role.TRANSLATOR)
    officer = Client()
    sign_in(officer, role=Role.PRIVACY_OFFICER)

    assert 'href="/translations/"' in client.get(reverse("portal:home")).content.decode()
    assert 'href="/translations/"' not in officer.get(reverse("portal:home")).content.decode()


def test_a_translator_sees_open_tasks_and_a_verifier_sees_submitted_ones(client: Client) -> None:
    open_task = TranslationTaskFactory(subject="Open referral")
    waiting = submitted(subject="Submitted pathology report")
    sign_in(client, role=Role.TRANSLATOR)
    verifier = Client()
    sign_in(verifier, role=Role.CONSULTING_SPECIALIST)

    translator_queue = client.get(reverse("translation:queue")).content.decode()
    verifier_queue = verifier.get(reverse("translation:queue")).content.decode()

    assert open_task.subject in translator_queue
    assert waiting.subject not in translator_queue
    assert waiting.subject in verifier_queue
    assert open_task.subject not in verifier_queue


def test_the_status_filter_lists_every_task_in_that_status(client: Client) -> None:
    verified = submitted(subject="Already verified")
    TranslationTask.objects.filter(pk=verified.pk).update(
        status=Status.VERIFIED, verified_by=person(Role.PROGRAM_DIRECTOR), verified_at=verified.submitted_at
    )
    sign_in(client, role=Role.TRANSLATOR)

    page = client.get(reverse("translation:queue"), {"status": "verified"}).content.decode()

    assert "Already verified" in page


def test_the_queue_renders_in_chinese(client: Client) -> None:
    TranslationTaskFactory(subject="转诊信")
    sign_in(client, role=Role.TRANSLATOR, language="zh-hans")

    page = client.get(reverse("translation:queue")).content.decode()

    assert "<h1>翻译</h1>" in page
    assert "等待译员" in page
    assert "转诊信" in page
    assert "中文 → 英文" in page


def test_requesting_a_translation_without_an_engine_queues_it(client: Client) -> None:
    user = sign_in(client, role=Role.REFERRING_PHYSICIAN)

    response = client.post(
        reverse("translation:request"),
        {
            "subject": "Referral letter",
            "case_ref": "HZ-1",
            "source_lang": "zh",
            "target_lang": "en",
            "text": "患者乏力。",
        },
    )

    task = TranslationTask.objects.get()
    assert response.status_code == 302
    assert (task.status, task.requested_by) == (Status.QUEUED, user)
    assert "Waiting for a translator." in client.get(response["Location"]).content.decode()


def test_a_translator_cannot_request_translations(client: Client) -> None:
    sign_in(client, role=Role.TRANSLATOR)

    response = client.post(reverse("translation:request"), {"subject": "x", "text": "y"})

    assert response.status_code == 403


def test_viewing_a_task_is_audited(client: Client) -> None:
    user = sign_in(client, role=Role.TRANSLATOR)
    task = machine_drafted()

    _page(client, task)

    viewed = AuditEntry.objects.filter(action="record.viewed").latest("seq")
    assert (viewed.actor, viewed.target, viewed.detail["form"]) == (user.username, f"translation:{task.pk}", "page")


def test_a_machine_draft_is_labelled_as_unverified_machine_translation(client: Client) -> None:
    sign_in(client, role=Role.CONSULTING_SPECIALIST)
    task = machine_drafted()

    page = _page(client, task)

    assert "Machine translation — echo echo-1 — not verified" in page
    assert "Translated by machine (echo, echo-1); not verified" in page
    assert escape(REFERRAL_EN) in page or "Male patient" in page


def test_the_source_and_translation_show_glossary_terms_highlighted(client: Client) -> None:
    sign_in(client, role=Role.CONSULTING_SPECIALIST)
    task = machine_drafted()

    page = _page(client, task)

    assert '<mark class="glossary-term" title="Diffuse large B-cell lymphoma"' in page or (
        'class="glossary-term"' in page and "弥漫大B细胞淋巴瘤</mark>" in page
    )


def test_the_verified_page_shows_the_full_provenance_line(client: Client) -> None:
    task = submitted()
    verifier = person(Role.PROGRAM_DIRECTOR, first_name="Li", last_name="Na")
    task = services.verify(task=task, by=verifier)
    sign_in(client, role=Role.CONSULTING_SPECIALIST)

    page = _page(client, task)

    date = task.provenance.verified_at[:10] if task.provenance and task.provenance.verified_at else ""
    assert f"Translated by machine (echo, echo-1), edited by Wei Zhang, verified by Li Na on {date}" in page
    assert "not verified" not in page


def test_a_translator_claims_edits_and_submits_through_the_page(client: Client) -> None:
    translator = sign_in(client, role=Role.TRANSLATOR, first_name="Wei", last_name="Zhang")
    task = machine_drafted()

    assert client.post(reverse("translation:claim", args=[task.pk])).status_code == 302
    page = _page(client, task)
    assert 'data-testid="editor"' in page
    saved = client.post(
        reverse("translation:save", args=[task.pk]), {"text": "A better translation."}, headers={"HX-Request": "true"}
    )
    assert 'data-testid="saved"' in saved.content.decode()
    client.post(reverse("translation:save", args=[task.pk]), {"text": "The final translation.", "submit": "1"})

    task.refresh_from_db()
    assert (task.status, task.translator, task.human_text) == (Status.TRANSLATED, translator, "The final translation.")


def test_a_verifier_verifies_through_the_page(client: Client) -> None:
    verifier = sign_in(client, role=Role.REFERRING_PHYSICIAN)
    task = submitted()

    response = client.post(reverse("translation:verify", args=[task.pk]))

    task.refresh_from_db()
    assert response.status_code == 302
    assert (task.status, task.verified_by) == (Status.VERIFIED, verifier)


def test_a_verifier_returns_a_translation_with_a_comment(client: Client) -> None:
    sign_in(client, role=Role.REFERRING_PHYSICIAN)
    task = submitted()

    client.post(reverse("translation:reject", args=[task.pk]), {"comment": "Dose units are wrong."})

    task.refresh_from_db()
    assert (task.status, task.review_comment) == (Status.REJECTED, "Dose units are wrong.")


def test_the_translator_is_refused_verifying_their_own_work_and_it_is_audited(client: Client) -> None:
    translator = sign_in(client, role=Role.CONSULTING_SPECIALIST)
    from tests.accounts.factories import MembershipFactory

    MembershipFactory(user=translator, role=Role.TRANSLATOR)
    task = submitted(translator=translator)

    response = client.post(reverse("translation:verify", args=[task.pk]))

    assert response.status_code == 403
    task.refresh_from_db()
    assert task.status == Status.TRANSLATED
    denial = AuditEntry.objects.filter(action="permission.denied").latest("seq")
    assert (denial.target, denial.detail["attempted"]) == (task.target, "translation.verify")


def test_a_step_the_workflow_no_longer_allows_is_answered_409(client: Client) -> None:
    sign_in(client, role=Role.REFERRING_PHYSICIAN)
    task = TranslationTaskFactory()

    response = client.post(reverse("translation:verify", args=[task.pk]))

    assert response.status_code == 409
    assert 'data-testid="workflow-error"' in response.content.decode()


def test_a_machine_draft_requested_through_the_page_is_shown_once_the_worker_ran(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "configured_engine", lambda settings: EchoEngine())
    sign_in(client, role=Role.CONSULTING_SPECIALIST)
    client.post(
        reverse("translation:request"),
        {"subject": "Question", "case_ref": "", "source_lang": "en", "target_lang": "zh", "text": "Any B symptoms?"},
    )
    task = TranslationTask.objects.get()
    assert "The machine draft is being prepared." in _page(client, task)

    services.store_machine_draft(task_id=task.pk)

    assert "Machine translation — echo echo-1 — not verified" in _page(client, task)
