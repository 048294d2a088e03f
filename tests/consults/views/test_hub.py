"""The hub's pages: intake queue with triage, assignment with reasons, the review workspace, the opinion."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from huizhen.apps.accounts.models import Role
from huizhen.apps.audit.models import AuditEntry
from huizhen.apps.consults import opinions, triage
from huizhen.apps.consults.models import Attachment, AttachmentKind, Opinion, OpinionStatus, State
from huizhen.deid.dicom.synthetic import generate_ct_series
from tests.accounts.factories import sign_in
from tests.consults.hub_factories import AssignmentFactory, hub_case, hub_user, sign_in_as, specialist

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def hub_in_the_united_states(settings: Any) -> None:
    # A hub's views are checked against its country (where the de-identified data now is).
    settings.HUIZHEN_COUNTRY = "US"


@pytest.fixture
def coordinator_client(client: Client) -> Client:
    client.user = sign_in(client, role=Role.CASE_COORDINATOR)  # type: ignore[attr-defined]
    return client


def _workspace(consult: Any) -> str:
    return reverse("consults:workspace", args=[consult.reference])


def test_the_intake_queue_lists_submitted_cases_with_an_accept_button(coordinator_client: Client) -> None:
    consult = hub_case()
    page = coordinator_client.get(reverse("consults:intake"))
    assert page.status_code == 200
    assert f'data-testid="accept-{consult.reference}"' in page.content.decode()


def test_an_overdue_case_stands_out_in_the_queue(coordinator_client: Client) -> None:
    late = hub_case(state=State.IN_REVIEW, due_at=timezone.now() - dt.timedelta(hours=1))
    on_time = hub_case(state=State.IN_REVIEW, due_at=timezone.now() + dt.timedelta(days=3))
    html = coordinator_client.get(reverse("consults:intake")).content.decode()
    assert f'<tr class="overdue" data-reference="{late.reference}"' in html
    assert f'<tr class="" data-reference="{on_time.reference}"' in html
    assert 'data-testid="overdue"' in html
    assert html.index(late.reference) < html.index(on_time.reference)


def test_accepting_from_the_queue_moves_the_case(coordinator_client: Client) -> None:
    consult = hub_case()
    response = coordinator_client.post(
        reverse("consults:accept", args=[consult.reference]), {"next": reverse("consults:intake")}
    )
    assert response.status_code == 302
    consult.refresh_from_db()
    assert consult.state == State.ACCEPTED


def test_a_specialist_cannot_accept_and_is_told_so(client: Client) -> None:
    sign_in(client, role=Role.CONSULTING_SPECIALIST)
    consult = hub_case()
    assert client.post(reverse("consults:accept", args=[consult.reference])).status_code == 403
    consult.refresh_from_db()
    assert consult.state == State.SUBMITTED


def test_declining_without_a_reason_shows_the_form_again(coordinator_client: Client) -> None:
    consult = hub_case()
    response = coordinator_client.post(reverse("consults:decline", args=[consult.reference]), {"reason": ""})
    assert response.status_code == 400
    consult.refresh_from_db()
    assert consult.state == State.SUBMITTED


def test_a_question_to_the_referring_physician_appears_in_the_workspace(coordinator_client: Client) -> None:
    consult = hub_case()
    coordinator_client.post(
        reverse("consults:request_info", args=[consult.reference]), {"question": "Please send the PET-CT report."}
    )
    page = coordinator_client.get(_workspace(consult)).content.decode()
    assert "Please send the PET-CT report." in page


def test_accepting_a_case_twice_answers_conflict(coordinator_client: Client) -> None:
    consult = hub_case()
    url = reverse("consults:accept", args=[consult.reference])
    coordinator_client.post(url)
    response = coordinator_client.post(url)
    assert response.status_code == 409
    assert "no longer possible" in response.content.decode()


def test_the_assignment_page_explains_each_suggestion(coordinator_client: Client) -> None:
    consult = triage.accept(consult=hub_case(language="zh"), by=hub_user(Role.CASE_COORDINATOR))
    specialist(username="bilingual", languages=["en", "zh"], first_name="Mei", last_name="Chen")
    page = coordinator_client.get(reverse("consults:assign", args=[consult.reference])).content.decode()
    assert "Mei Chen" in page
    assert "reads Chinese" in page


def test_confirming_an_assignment_puts_the_case_in_review(coordinator_client: Client) -> None:
    consult = triage.accept(consult=hub_case(), by=hub_user(Role.CASE_COORDINATOR))
    chosen = specialist()
    response = coordinator_client.post(
        reverse("consults:assign", args=[consult.reference]), {"specialists": [chosen.pk], "lead": chosen.pk}
    )
    assert response.status_code == 302
    consult.refresh_from_db()
    assert consult.state == State.IN_REVIEW
    assert consult.assignments.get().specialist == chosen


def test_an_unassigned_specialist_cannot_open_the_workspace_and_it_is_audited(client: Client) -> None:
    stranger = sign_in(client, role=Role.CONSULTING_SPECIALIST)
    consult = hub_case(state=State.IN_REVIEW)
    assert client.get(_workspace(consult)).status_code == 403
    denial = AuditEntry.objects.filter(action="permission.denied").latest("seq")
    assert (denial.actor, denial.target) == (stranger.username, consult.reference)


def test_opening_the_workspace_asks_the_policy_engine_and_is_audited(coordinator_client: Client) -> None:
    consult = hub_case()
    assert coordinator_client.get(_workspace(consult)).status_code == 200
    viewed = AuditEntry.objects.filter(action="record.viewed", target=consult.reference)
    assert viewed.exists()
    assert AuditEntry.objects.filter(action="policy.decision").exists()


def test_a_case_without_the_gateways_facts_is_refused_by_policy_with_its_reasons(coordinator_client: Client) -> None:
    consult = hub_case(export_facts={})
    response = coordinator_client.get(_workspace(consult))
    assert response.status_code == 403
    assert 'data-testid="policy-denied"' in response.content.decode()


def test_the_workspace_shows_the_summary_with_coded_labels_in_both_languages(coordinator_client: Client) -> None:
    page = coordinator_client.get(_workspace(hub_case())).content.decode()
    assert "C83.3" in page
    assert "弥漫大B细胞淋巴瘤" in page
    assert "Diffuse large B-cell lymphoma" in page


def test_the_workspace_shows_the_original_text_beside_its_translation(coordinator_client: Client) -> None:
    from huizhen.apps.translation.models import TranslationTask

    consult = hub_case(language="zh", question="是否推荐CAR-T？")
    TranslationTask.objects.create(
        subject=f"{consult.reference}:question",
        case_ref=consult.reference,
        source_lang="zh",
        target_lang="en",
        source_text="是否推荐CAR-T？",
        human_text="Is CAR-T recommended?",
        translator=hub_user(Role.TRANSLATOR),
        status="translated",
    )
    page = coordinator_client.get(_workspace(consult)).content.decode()
    assert "是否推荐CAR-T？" in page
    assert "Is CAR-T recommended?" in page
    assert 'class="translation-provenance"' in page


def test_the_workspace_shows_image_thumbnails_and_a_slice_viewer(coordinator_client: Client) -> None:
    consult = hub_case()
    generate_ct_series(Path(settings.HUIZHEN_BLOB_DIR) / "studies" / consult.reference, slices=3, rows=32, cols=32)
    study = Attachment.objects.create(
        request=consult, kind=AttachmentKind.DICOM, filename="study-1", blob=f"studies/{consult.reference}"
    )
    page = coordinator_client.get(_workspace(consult) + f"?study={study.pk}&index=1").content.decode()
    assert 'data-testid="slice-viewer"' in page
    assert "2 / 3" in page
    slice_url = reverse("consults:dicom_slice", args=[consult.reference, study.pk])
    image = coordinator_client.get(slice_url + "?index=1")
    assert image.status_code == 200
    assert image["Content-Type"] == "image/png"
    assert coordinator_client.get(slice_url + "?size=thumb").content[:4] == b"\x89PNG"


def test_the_opinion_form_offers_no_prescription_or_order(client: Client) -> None:
    assigned = AssignmentFactory()
    sign_in_as(client, assigned.specialist)
    page = client.get(_workspace(assigned.request)).content.decode()
    assert 'data-testid="opinion-form"' in page
    assert "prescription" not in page.split('data-testid="opinion-form"')[1].split("</form>")[0].lower()


def test_the_assigned_specialist_saves_and_signs_the_opinion(client: Client) -> None:
    assigned = AssignmentFactory()
    sign_in_as(client, assigned.specialist)
    form = {
        "agreement": "concordant",
        "dx0_system": "icd10",
        "dx0_code": "C83.3",
        "dx0_text": "DLBCL",
        "workup": "PET-CT",
        "regimen": "R-CHOP",
        "rationale": "Standard",
        "guidelines": "NCCN B-cell lymphomas v2.2026",
        "trials": "",
        "comments": "Agree.",
        "language": "en",
        "sign": "1",
    }
    response = client.post(reverse("consults:opinion_edit", args=[assigned.request.reference]), form)
    assert response.status_code == 302
    opinion = Opinion.objects.get(request=assigned.request)
    assert opinion.status == OpinionStatus.SIGNED
    assert opinion.consultant_diagnosis == [{"system": "icd10", "code": "C83.3", "text": "DLBCL"}]
    page = client.get(_workspace(assigned.request)).content.decode()
    assert 'data-testid="signed-opinion-1"' in page
    assert 'data-testid="addendum-form"' in page


def test_a_signed_opinion_cannot_be_changed_through_the_form(client: Client) -> None:
    assigned = AssignmentFactory()
    draft = opinions.create_draft(
        consult=assigned.request,
        by=assigned.specialist,
        fields={"agreement": "concordant", "comments": "Agree."},
    )
    opinions.sign(opinion=draft, by=assigned.specialist)
    sign_in_as(client, assigned.specialist)
    response = client.post(
        reverse("consults:opinion_sign", args=[assigned.request.reference, 1]),
    )
    assert response.status_code == 400
    draft.refresh_from_db()
    assert draft.comments == "Agree."


def test_the_author_cannot_cosign_through_the_page(client: Client) -> None:
    assigned = AssignmentFactory()
    draft = opinions.create_draft(
        consult=assigned.request, by=assigned.specialist, fields={"agreement": "concordant", "comments": "Agree."}
    )
    opinions.submit_for_cosignature(opinion=draft, by=assigned.specialist)
    sign_in_as(client, assigned.specialist)
    response = client.post(reverse("consults:opinion_cosign", args=[assigned.request.reference, 1]))
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.cosigned_at is None


def test_the_pages_do_not_exist_at_a_gateway(coordinator_client: Client, settings: Any) -> None:
    settings.HUIZHEN_ROLE = "gateway"
    assert coordinator_client.get(reverse("consults:intake")).status_code in (403, 404)


def test_a_received_document_opens_inline_and_the_view_is_audited(coordinator_client: Client) -> None:
    consult = hub_case()
    path = Path(settings.HUIZHEN_BLOB_DIR) / "received" / "report.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("Pathology: DLBCL, non-GCB.")
    document = Attachment.objects.create(
        request=consult,
        kind=AttachmentKind.TEXT,
        filename="report.txt",
        content_type="text/plain",
        blob="received/report.txt",
    )
    response = coordinator_client.get(reverse("consults:document", args=[consult.reference, document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"Pathology: DLBCL, non-GCB."
    assert AuditEntry.objects.filter(action="record.viewed", target=consult.reference).exists()


def test_an_unassigned_specialist_cannot_fetch_a_slice(client: Client) -> None:
    sign_in(client, role=Role.CONSULTING_SPECIALIST)
    consult = hub_case(state=State.IN_REVIEW)
    study = Attachment.objects.create(request=consult, kind=AttachmentKind.DICOM, filename="s", blob="studies/none")
    assert client.get(reverse("consults:dicom_slice", args=[consult.reference, study.pk])).status_code == 403


def test_a_coordinator_releases_a_specialist_from_the_assignment_page(coordinator_client: Client) -> None:
    assigned = AssignmentFactory()
    response = coordinator_client.post(reverse("consults:release", args=[assigned.request.reference, assigned.pk]))
    assert response.status_code == 302
    assigned.refresh_from_db()
    assert assigned.released_at is not None
