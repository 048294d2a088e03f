"""The bilingual opinion report, read back with pdftotext: both languages, provenance, NOT VERIFIED, patient name."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import timezone

from huizhen.apps.accounts.models import Role
from huizhen.apps.consults.delivery import on_opinion_signed
from huizhen.apps.consults.models import ConsultRequest, Opinion, State
from huizhen.apps.consults.report import bilingual_opinion, render_opinion_pdf
from huizhen.apps.translation.models import Status, TranslationTask
from tests.consults.delivery_support import gateway, gateway_case, hub, hub_case, signed_opinion_payload  # noqa: F401
from tests.translation.factories import person

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)"),
]


def text_of(document: bytes, tmp_path: Path) -> str:
    path = tmp_path / "opinion.pdf"
    path.write_bytes(document)
    extracted = subprocess.run(["pdftotext", "-nodiag", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(extracted.stdout.split())


def no_spaces(text: str) -> str:
    return "".join(text.split())


def _delivered_case(**patient: str) -> tuple[ConsultRequest, Opinion]:
    consult = gateway_case(State.IN_REVIEW)
    if patient:
        for key, value in patient.items():
            setattr(consult.patient, key, value)
        consult.patient.save()
    on_opinion_signed(peer=consult.peer, payload=signed_opinion_payload(consult), event_id="e")
    return consult, consult.opinions.get()


def _translate(consult: ConsultRequest, field: str, text: str, *, verified: bool) -> TranslationTask:
    task = TranslationTask.objects.get(subject=f"{consult.reference}:opinion-v1:{field}")
    task.translator = person(Role.TRANSLATOR, first_name="Li", last_name="Na")
    task.human_text = text
    task.submitted_at = timezone.now()
    task.status = Status.TRANSLATED
    if verified:
        task.status = Status.VERIFIED
        task.verified_by = consult.referring_physician
        task.verified_at = timezone.now()
    task.save()
    return task


@pytest.mark.usefixtures("gateway")
def test_the_report_holds_the_opinion_in_english_and_chinese_with_coded_diagnoses(tmp_path: Path) -> None:
    consult, opinion = _delivered_case()
    _translate(consult, "workup", "复查PET-CT，并对残留病灶再次活检。", verified=True)

    text = text_of(render_opinion_pdf(consult=consult, opinion=opinion), tmp_path)

    assert "Repeat PET-CT and a biopsy of the residual mass." in text
    assert "复查PET-CT，并对残留病灶再次活检。" in no_spaces(text)
    assert "弥漫大B细胞淋巴瘤" in no_spaces(text)
    assert "会诊意见报告" in no_spaces(text)
    assert opinion.content_hash in no_spaces(text)
    assert consult.reference in text


@pytest.mark.usefixtures("gateway")
def test_the_report_says_it_is_advice_to_the_treating_physician_not_the_patient(tmp_path: Path) -> None:
    consult, opinion = _delivered_case()

    text = text_of(render_opinion_pdf(consult=consult, opinion=opinion), tmp_path)

    assert "advice to the treating physician, not to the patient" in text
    assert "提供给主治医师的会诊建议" in no_spaces(text)


@pytest.mark.usefixtures("gateway")
def test_a_translation_not_yet_verified_is_marked_with_its_translator(tmp_path: Path) -> None:
    consult, opinion = _delivered_case()
    _translate(consult, "comments", "欢迎视频讨论。", verified=False)

    text = text_of(render_opinion_pdf(consult=consult, opinion=opinion), tmp_path)

    assert "Translated by Li Na; not verified" in text
    assert "NOT VERIFIED" in text
    assert "未核实" in no_spaces(text)


@pytest.mark.usefixtures("gateway")
def test_a_verified_translation_names_its_verifier(tmp_path: Path) -> None:
    consult, opinion = _delivered_case()
    _translate(consult, "comments", "欢迎视频讨论。", verified=True)

    parts = {part.key: part for part in bilingual_opinion(consult, opinion).parts}

    assert parts["comments"].verified
    assert "verified by Wei Zhang" in parts["comments"].provenance_en()
    assert not parts["trials"].verified
    assert parts["trials"].pending


@pytest.mark.usefixtures("gateway")
def test_the_gateways_report_names_the_patient(tmp_path: Path) -> None:
    consult, opinion = _delivered_case(family_name="欧阳", given_name="震华")

    text = text_of(render_opinion_pdf(consult=consult, opinion=opinion), tmp_path)

    assert "欧阳震华" in no_spaces(text)
    assert consult.patient.mrn in text


@pytest.mark.usefixtures("hub")
def test_the_hubs_report_shows_only_the_pseudonym(tmp_path: Path) -> None:
    consult = hub_case(State.DELIVERED)
    payload = signed_opinion_payload(consult)
    opinion = Opinion.objects.create(
        request=consult,
        version=1,
        status="signed",
        agreement=payload["agreement"],
        consultant_diagnosis=payload["consultant_diagnosis"],
        workup=payload["workup"],
        treatment=payload["treatment"],
        language="en",
        signer_name="Sarah Miller",
        signed_at=timezone.now(),
        content_hash=payload["content_hash"],
    )

    text = text_of(render_opinion_pdf(consult=consult, opinion=opinion), tmp_path)

    assert consult.patient_pseudonym in text
    assert "MRN" not in text
