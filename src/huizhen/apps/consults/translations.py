"""Translations of a received case's free text, for the consulting specialists who read the other language.

At the hub a case arrives in the referring physician's language (usually Chinese);
:func:`request_case_translations` asks the translation service
(:func:`huizhen.apps.translation.services.request_translation`: a machine draft when an
engine is configured, the human queue otherwise) for every free-text field — the
clinical question, the summary's findings and diagnosis texts, and text reports — once
per field, under the subject ``"<reference>:<field>"`` and the case reference.
:func:`translations_for` finds them again by field. Coded values (ICD-10, ICD-O-3,
regimens, LOINC) are never machine-translated: they render from the code tables.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from huizhen.apps.consults.models import AttachmentKind, ConsultRequest
from huizhen.apps.consults.summary import FREE_TEXT_FIELDS
from huizhen.apps.translation.models import TranslationTask
from huizhen.apps.translation.services import MAX_TEXT_CHARS, request_translation


def reader_language() -> str:
    """The language this node's readers get clinical text in: English at a hub, Chinese at a gateway."""
    return "en" if settings.HUIZHEN_ROLE == "hub" else "zh"


def case_texts(consult: ConsultRequest) -> dict[str, str]:
    """Field name → free text of the case, as stored on this node (de-identified at a hub)."""
    texts: dict[str, str] = {"question": consult.question or ""}
    summary = consult.summary if isinstance(consult.summary, dict) else {}
    for name in FREE_TEXT_FIELDS:
        value = summary.get(name)
        if isinstance(value, str):
            texts[f"summary.{name}"] = value
    for index, row in enumerate(summary.get("diagnoses") or []):
        if isinstance(row, dict) and isinstance(row.get("text"), str):
            texts[f"summary.diagnoses.{index}.text"] = row["text"]
    for attachment in consult.attachments.filter(kind=AttachmentKind.TEXT, message=None):
        content = _attachment_text(attachment.blob)
        if content:
            texts[f"attachment.{attachment.pk}"] = content
    return {field: text for field, text in texts.items() if text.strip()}


def request_case_translations(*, consult: ConsultRequest, by: Any = None) -> list[TranslationTask]:
    """Ask once per free-text field for its translation into this node's readers' language."""
    source = consult.language if consult.language in ("zh", "en") else "zh"
    target = reader_language()
    if source == target:
        return []
    existing = set(TranslationTask.objects.filter(case_ref=consult.reference).values_list("subject", flat=True))
    created: list[TranslationTask] = []
    for field, text in case_texts(consult).items():
        subject = f"{consult.reference}:{field}"
        if subject in existing or len(text) > MAX_TEXT_CHARS:
            continue
        created.append(
            request_translation(
                text=text, source=source, target=target, subject=subject, case_ref=consult.reference, by=by
            )
        )
    return created


def translations_for(consult: ConsultRequest) -> dict[str, TranslationTask]:
    """Field name → the newest translation task of that field of the case."""
    prefix = f"{consult.reference}:"
    found: dict[str, TranslationTask] = {}
    for task in TranslationTask.objects.filter(case_ref=consult.reference, subject__startswith=prefix).order_by("pk"):
        found[task.subject[len(prefix) :]] = task
    return found


def _attachment_text(relative: str) -> str:
    from pathlib import Path

    root = Path(settings.HUIZHEN_BLOB_DIR).resolve()
    path = (root / relative).resolve()
    if root not in path.parents or not path.is_file():
        return ""
    raw = path.read_bytes()
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return ""
