"""The bilingual PDF: both texts, the provenance line and the NOT VERIFIED mark, read back with pdftotext."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from huizhen.apps.accounts.models import Role
from huizhen.apps.audit.models import AuditEntry
from huizhen.apps.translation import pdf, services
from huizhen.apps.translation.pdf import FontMissing, render_translation_pdf
from huizhen.translate import Provenance
from tests.accounts.factories import sign_in
from tests.translation.factories import REFERRAL_EN, REFERRAL_ZH, TranslationTaskFactory, person, submitted

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)")

MACHINE_EDITED = Provenance(
    method="machine",
    engine="http:mt.example",
    model="opus-mt-zh-en",
    translator="Wei Zhang",
    verified_by=None,
    at="2026-11-25T09:00:00+08:00",
)


def text_of(document: bytes, tmp_path: Path, *, nodiag: bool = True) -> str:
    """The PDF's horizontal text (not the diagonal watermark), line breaks folded into single spaces."""
    path = tmp_path / "document.pdf"
    path.write_bytes(document)
    command = ["pdftotext", *(["-nodiag"] if nodiag else []), str(path), "-"]
    extracted = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return " ".join(extracted.split())


def no_spaces(text: str) -> str:
    """Chinese lines are broken between any two characters; compare Chinese without the breaks."""
    return "".join(text.split())


def test_the_pdf_holds_the_chinese_source_the_english_translation_and_the_provenance(tmp_path: Path) -> None:
    document = render_translation_pdf(
        title="Referral letter", source=REFERRAL_ZH, translation=REFERRAL_EN, provenance=MACHINE_EDITED, lang="en"
    )

    text = text_of(document, tmp_path)

    assert document.startswith(b"%PDF-")
    assert "弥漫大B细胞淋巴瘤" in no_spaces(text)
    assert "diffuse large B-cell lymphoma" in text
    assert "Translated by machine (http:mt.example, opus-mt-zh-en), edited by Wei Zhang; not verified" in text
    assert "Machine translation — http:mt.example opus-mt-zh-en — not verified" in text


def test_an_unverified_pdf_is_marked_not_verified(tmp_path: Path) -> None:
    document = render_translation_pdf(
        title="Draft", source=REFERRAL_ZH, translation=REFERRAL_EN, provenance=MACHINE_EDITED, lang="en"
    )

    assert "NOT VERIFIED" in text_of(document, tmp_path)


def test_a_verified_pdf_names_the_verifier_and_carries_no_draft_mark(tmp_path: Path) -> None:
    verified = MACHINE_EDITED.verified(by="Li Na")

    text = text_of(
        render_translation_pdf(
            title="Referral letter", source=REFERRAL_ZH, translation=REFERRAL_EN, provenance=verified, lang="en"
        ),
        tmp_path,
    )

    assert f"edited by Wei Zhang, verified by Li Na on {verified.verified_at[:10]}" in text  # type: ignore[index]
    assert "NOT VERIFIED" not in text


def test_the_labels_follow_the_requested_language(tmp_path: Path) -> None:
    verified = MACHINE_EDITED.verified(by="Li Na")
    document = render_translation_pdf(
        title="转诊信", source=REFERRAL_ZH, translation=REFERRAL_EN, provenance=verified, lang="zh-hans"
    )

    # Without a watermark there is no diagonal text, and poppler's -nodiag heuristics drop some CJK runs.
    text = no_spaces(text_of(document, tmp_path, nodiag=False))

    assert "来源" in text
    assert "原文" in text
    assert "译文" in text
    date = verified.verified_at[:10]  # type: ignore[index]
    assert f"机器翻译（http:mt.example,opus-mt-zh-en），经WeiZhang编辑，由LiNa于{date}核对确认" in text


def test_a_chinese_draft_is_marked_unverified_in_chinese(tmp_path: Path) -> None:
    document = render_translation_pdf(
        title="转诊信", source=REFERRAL_ZH, translation=REFERRAL_EN, provenance=MACHINE_EDITED, lang="zh-hans"
    )

    assert "未经核对" in text_of(document, tmp_path)


def test_a_missing_font_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(pdf, "FONT_DIRS", (tmp_path,))
    pdf._font_file.cache_clear()
    try:
        with pytest.raises(FontMissing, match="fonts-noto-cjk"):
            render_translation_pdf(title="x", source="x", translation="y", provenance=MACHINE_EDITED)
    finally:
        pdf._font_file.cache_clear()


@pytest.mark.django_db
def test_the_task_pdf_is_served_audited_and_shows_the_verified_provenance(client: Client, tmp_path: Path) -> None:
    task = services.verify(task=submitted(), by=person(Role.PROGRAM_DIRECTOR, first_name="Li", last_name="Na"))
    user = sign_in(client, role=Role.CONSULTING_SPECIALIST)

    response = client.get(reverse("translation:pdf", args=[task.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = text_of(response.content, tmp_path)
    assert "edited by Wei Zhang, verified by Li Na on" in text
    assert "NOT VERIFIED" not in text
    viewed = AuditEntry.objects.filter(action="record.viewed").latest("seq")
    assert (viewed.actor, viewed.target, viewed.detail["form"]) == (user.username, task.target, "pdf")


@pytest.mark.django_db
def test_a_task_without_any_translation_has_no_pdf(client: Client) -> None:
    sign_in(client, role=Role.CONSULTING_SPECIALIST)

    assert client.get(reverse("translation:pdf", args=[TranslationTaskFactory().pk])).status_code == 404
