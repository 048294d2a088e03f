"""The signed opinion in English and Chinese: its sections with provenance, and the bilingual PDF report.

:func:`bilingual_opinion` pairs every part of a signed opinion with its other-language
text and says where that text came from: coded diagnoses and regimens are rendered
from their codes in both languages (:func:`huizhen.translate.coded_label`, no machine
translation), the agreement is a fixed choice, and each free-text field is the
specialist's words beside the case's translation task
(subject ``"<reference>:opinion-v<n>:<field>"``, :mod:`huizhen.apps.consults.delivery`)
with its provenance — machine engine and model, human translator, verifier — or "not
translated yet". The pages, the JSON API and the PDF all read this one structure.

:func:`render_opinion_pdf` prints it as an A4 report with the fonts and layout helpers
of :mod:`huizhen.apps.translation.pdf` (Noto Sans CJK, so the Chinese text is real text
a reader can search and copy): a header naming the case, program, referring
institution and physician, consulting centre, signer, signing time, version and content
hash; the statement that this is advice to the treating physician, not to the patient;
then every section in English and in Chinese, each translated text with its provenance
and a "NOT VERIFIED · 未核实" mark until a clinician verified it. Labels are printed in
both languages whatever the reader's interface language, since the report is bilingual
by design. Only at a gateway does the header name the patient (re-linked from the
registry); a hub's report shows the pseudonym.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone
from fpdf.enums import Align, XPos, YPos

from huizhen.apps.consults.delivery import TRANSLATED_FIELDS, field_text, opinion_subject
from huizhen.apps.consults.models import Agreement, ConsultRequest, Opinion, Program
from huizhen.apps.translation.models import TranslationTask
from huizhen.apps.translation.pdf import (
    FAMILY,
    _Document,
    _face_index,
    _now_text,
    _paragraphs,
    _plain,
    _section,
    font_paths,
    translation_language,
)
from huizhen.apps.translation.provenance import provenance_line
from huizhen.translate import Provenance, coded_label

#: Labels of the report, always in both languages.
LABELS: dict[str, tuple[str, str]] = {
    "title": ("Consultation opinion", "会诊意见报告"),
    "reference": ("Case reference", "病例编号"),
    "program": ("Program", "会诊项目"),
    "patient": ("Patient", "患者"),
    "referring": ("Referring physician", "申请医师"),
    "institution": ("Referring institution", "申请医院"),
    "centre": ("Consulting centre", "会诊中心"),
    "author": ("Written by", "撰写"),
    "cosigner": ("Co-signed by", "复核签名"),
    "signer": ("Signed by", "签发"),
    "signed_at": ("Signed at", "签发时间"),
    "version": ("Version", "版本"),
    "hash": ("Content hash (SHA-256)", "内容哈希（SHA-256）"),
    "supersedes": ("Addendum to version", "本版为以下版本的补充"),
    "superseded": ("Superseded by version", "已被以下版本取代"),
    "agreement": ("Agreement with the submitted diagnosis", "与原诊断的一致性"),
    "consultant_diagnosis": ("Consultant's diagnosis", "会诊诊断"),
    "workup": ("Recommended further workup", "建议的进一步检查"),
    "treatment.regimen": ("Recommended regimen", "推荐方案"),
    "treatment.rationale": ("Rationale", "理由"),
    "treatment.guidelines": ("Guideline references", "参考指南"),
    "trials": ("Clinical-trial considerations", "临床试验建议"),
    "comments": ("Comments", "其他意见"),
    "addendum_reason": ("Reason for the addendum", "补充说明的原因"),
    "english": ("English", "英文"),
    "chinese": ("Chinese", "中文"),
    "not_verified": ("NOT VERIFIED", "未核实"),
    "pending": ("Translation pending", "译文待完成"),
}

ADVICE_STATEMENT = (
    "This opinion is advice to the treating physician, not to the patient. The consulting specialists have not "
    "examined the patient; diagnosis and treatment decisions remain with the treating physician.",
    "本意见是提供给主治医师的会诊建议，而非对患者的诊疗意见。会诊专家未亲自诊察患者，诊断和治疗决定由主治医师作出。",
)

AGREEMENT_ZH: dict[str, str] = {
    Agreement.CONCORDANT: "一致",
    Agreement.MINOR: "轻度不一致",
    Agreement.MAJOR: "重大不一致（改变治疗）",
}
PROGRAM_ZH: dict[str, str] = {Program.SECOND_OPINION: "诊断第二意见", Program.TREATMENT_PLAN: "治疗方案评估"}
_SYSTEMS = {"icd10": "ICD-10", "icdo3": "ICD-O-3", "icd-10": "ICD-10", "icd-o-3": "ICD-O-3"}


@dataclass(frozen=True)
class BilingualText:
    """One part of the opinion in both languages, and where the translated side came from."""

    key: str
    en: str
    zh: str
    # "coded", "choice", "translated" (a translation task), "as_written" (names, guidelines).
    source: str
    provenance: Provenance | None = None
    translated: str = ""  # the language that was translated into ("zh"/"en"), if any
    task_id: int | None = None

    @property
    def label_en(self) -> str:
        return LABELS.get(self.key, (self.key, self.key))[0]

    @property
    def label_zh(self) -> str:
        return LABELS.get(self.key, (self.key, self.key))[1]

    @property
    def verified(self) -> bool:
        """Coded values, fixed choices and untranslated names need no verifier; translations do."""
        if self.source != "translated":
            return True
        return self.provenance is not None and self.provenance.is_verified

    @property
    def pending(self) -> bool:
        return self.source == "translated" and not (self.zh if self.translated == "zh" else self.en)

    def provenance_en(self) -> str:
        if self.source == "coded" and self.provenance is not None:
            return f"Coded ({self.provenance.engine})"
        if self.source in ("choice", "as_written"):
            return ""
        with translation_language("en"):
            return provenance_line(self.provenance)

    def provenance_zh(self) -> str:
        if self.source == "coded" and self.provenance is not None:
            return f"编码标准名称（{self.provenance.engine}）"
        if self.source in ("choice", "as_written"):
            return ""
        if self.provenance is None:
            return "尚未翻译"
        return self.provenance.describe("zh")

    def as_dict(self) -> dict[str, Any]:
        return {
            "field": self.key,
            "label": {"en": self.label_en, "zh": self.label_zh},
            "en": self.en,
            "zh": self.zh,
            "source": self.source,
            "translated_into": self.translated or None,
            "verified": self.verified,
            "pending": self.pending,
            "provenance": self.provenance.to_dict() if self.provenance is not None else None,
            "provenance_line": {"en": self.provenance_en(), "zh": self.provenance_zh()},
            "translation_task": self.task_id,
        }


@dataclass
class BilingualOpinion:
    consult: ConsultRequest
    opinion: Opinion
    parts: list[BilingualText] = field(default_factory=list)
    superseded_by: int | None = None

    @property
    def fully_verified(self) -> bool:
        return all(part.verified for part in self.parts)

    def as_dict(self) -> dict[str, Any]:
        opinion = self.opinion
        return {
            "reference": self.consult.reference,
            "version": opinion.version,
            "supersedes_version": opinion.supersedes.version if opinion.supersedes is not None else None,
            "superseded_by": self.superseded_by,
            "status": opinion.status,
            "language": opinion.language,
            "author_name": opinion.author_name or _person(opinion.author),
            "cosigner_name": opinion.cosigner_name or _person(opinion.cosigner),
            "signer_name": opinion.signer_name,
            "signed_at": opinion.signed_at.isoformat() if opinion.signed_at else None,
            "content_hash": opinion.content_hash,
            "fully_verified": self.fully_verified,
            "sections": [part.as_dict() for part in self.parts],
        }


def _english_label(choices: Any, value: str) -> str:
    if value not in choices.values:
        return value
    with translation_language("en"):
        return str(choices(value).label)


def _person(user: Any) -> str:
    return "" if user is None else str(user.get_full_name() or user.get_username())


def _coded(key: str, system: str, code: str) -> BilingualText | None:
    try:
        en = coded_label(system, code, lang="en")
        zh = coded_label(system, code, lang="zh")
    except ValueError:
        return None
    if not en or not zh:
        return None
    provenance = Provenance("coded", f"{system} {code}", None, None, None, timezone.now().isoformat())
    if system == "REGIMEN":
        # A regimen's name is its code; the label adds the Chinese word for it.
        return BilingualText(key=key, en=en, zh=zh, source="coded", provenance=provenance)
    return BilingualText(
        key=key, en=f"{en} ({system} {code})", zh=f"{zh}（{system} {code}）", source="coded", provenance=provenance
    )


def _translated(
    consult: ConsultRequest, opinion: Opinion, key: str, tasks: dict[str, TranslationTask]
) -> BilingualText:
    original = field_text(opinion, key)
    task = tasks.get(opinion_subject(consult, opinion, key))
    translation = task.translation_text if task is not None else ""
    provenance = task.provenance if task is not None else None
    if opinion.language == "zh":
        return BilingualText(
            key=key,
            en=translation,
            zh=original,
            source="translated",
            provenance=provenance,
            translated="en",
            task_id=task.pk if task else None,
        )
    return BilingualText(
        key=key,
        en=original,
        zh=translation,
        source="translated",
        provenance=provenance,
        translated="zh",
        task_id=task.pk if task else None,
    )


def bilingual_opinion(consult: ConsultRequest, opinion: Opinion) -> BilingualOpinion:
    """Every part of ``opinion`` in English and Chinese with its provenance (see the module docstring)."""
    subjects = [opinion_subject(consult, opinion, key) for key in TRANSLATED_FIELDS]
    tasks: dict[str, TranslationTask] = {}
    for task in (
        TranslationTask.objects.filter(case_ref=consult.reference, subject__in=subjects)
        .select_related("translator", "verified_by")
        .order_by("pk")
    ):
        tasks[task.subject] = task
    parts: list[BilingualText] = []
    if opinion.agreement:
        en = _english_label(Agreement, opinion.agreement)
        parts.append(BilingualText(key="agreement", en=en, zh=AGREEMENT_ZH.get(opinion.agreement, en), source="choice"))
    for entry in opinion.consultant_diagnosis or []:
        if not isinstance(entry, dict):
            continue
        system = _SYSTEMS.get(str(entry.get("system", "")).lower(), str(entry.get("system", "")))
        code = str(entry.get("code") or "")
        text = str(entry.get("text") or "")
        coded = _coded("consultant_diagnosis", system, code) if code else None
        if coded is None:
            shown = " ".join(part for part in (text, f"({system} {code})" if code else "") if part)
            coded = BilingualText(key="consultant_diagnosis", en=shown, zh=shown, source="as_written")
        parts.append(coded)
    treatment = opinion.treatment or {}
    regimen = str(treatment.get("regimen") or "")
    if regimen:
        coded = _coded("treatment.regimen", "REGIMEN", regimen)
        parts.append(coded or BilingualText(key="treatment.regimen", en=regimen, zh=regimen, source="as_written"))
    for key in ("workup", "treatment.rationale"):
        if field_text(opinion, key).strip():
            parts.append(_translated(consult, opinion, key, tasks))
    guidelines = treatment.get("guidelines") or []
    if isinstance(guidelines, list) and guidelines:
        listed = "\n".join(str(item) for item in guidelines)
        parts.append(BilingualText(key="treatment.guidelines", en=listed, zh=listed, source="as_written"))
    for key in ("trials", "comments", "addendum_reason"):
        if field_text(opinion, key).strip():
            parts.append(_translated(consult, opinion, key, tasks))
    newer = consult.opinions.filter(status="signed", version__gt=opinion.version).order_by("-version").first()
    return BilingualOpinion(
        consult=consult, opinion=opinion, parts=parts, superseded_by=newer.version if newer else None
    )


class _Report(_Document):
    """The translation PDF's page, with the diagonal watermark drawn last on the page.

    Drawn first (as the translation PDF does), text extractors that skip rotated text
    (``pdftotext -nodiag``) also lose the first word printed after it; drawn last, in a
    pale colour, every word stays extractable and readable.
    """

    def header(self) -> None:
        if not self.watermark:
            return
        self.set_font(FAMILY, "B", 9)
        self.set_text_color(160, 40, 40)
        self.set_xy(self.l_margin, 8)
        self.cell(0, 5, self.watermark, align="R")
        self.set_xy(self.l_margin, self.t_margin)
        self.set_text_color(0, 0, 0)

    def footer(self) -> None:
        if self.watermark:
            self.set_font(FAMILY, "B", 54)
            self.set_text_color(240, 215, 215)
            x, y = self.w / 2, self.h / 2
            with self.rotation(45, x, y):
                self.text(x - self.get_string_width(self.watermark) / 2, y, self.watermark)
            self.set_text_color(0, 0, 0)
        super().footer()


# -- PDF -----------------------------------------------------------------------------------------------


def render_opinion_pdf(
    *, consult: ConsultRequest, opinion: Opinion, lang_order: tuple[str, str] = ("en", "zh")
) -> bytes:
    """A4 bilingual report of a signed opinion; raises :class:`huizhen.apps.translation.pdf.FontMissing`."""
    view = bilingual_opinion(consult, opinion)
    regular, bold = font_paths()
    unverified = not view.fully_verified
    watermark = f"{LABELS['not_verified'][0]} · {LABELS['not_verified'][1]}" if unverified else ""
    document = _Report(watermark=watermark, footer_text=f"Huizhen · {consult.reference} · {_now_text()}")
    document.add_font(FAMILY, "", str(regular), collection_font_number=_face_index(regular))
    document.add_font(FAMILY, "B", str(bold), collection_font_number=_face_index(bold))
    document.set_margins(18, 18, 18)
    document.set_auto_page_break(auto=True, margin=18)
    title = f"{LABELS['title'][0]} · {LABELS['title'][1]}"
    document.set_title(f"{title} {consult.reference} v{opinion.version}")
    document.set_creator("Huizhen")
    document.set_lang("en")
    document.add_page()

    document.set_font(FAMILY, "B", 16)
    document.multi_cell(0, 8, title, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    document.ln(2)
    document.set_font(FAMILY, "", 9.5)
    for key, value in _header_rows(consult, opinion, view):
        label = f"{LABELS[key][0]} · {LABELS[key][1]}"
        document.set_font(FAMILY, "B", 9.5)
        document.cell(62, 5.5, label)
        document.set_font(FAMILY, "", 9.5)
        document.multi_cell(0, 5.5, _plain(value) or "—", align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    document.ln(3)
    document.set_font(FAMILY, "B", 10)
    document.set_text_color(20, 60, 120)
    for sentence in ADVICE_STATEMENT:
        _paragraphs(document, sentence)
    document.set_text_color(0, 0, 0)
    document.ln(3)

    for part in view.parts:
        _section(document, f"{part.label_en} · {part.label_zh}")
        for lang in lang_order:
            text = part.zh if lang == "zh" else part.en
            name = LABELS["chinese"] if lang == "zh" else LABELS["english"]
            document.set_font(FAMILY, "B", 9)
            document.set_text_color(110, 110, 110)
            document.cell(0, 5, f"{name[0]} · {name[1]}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            document.set_text_color(0, 0, 0)
            document.set_font(FAMILY, "", 10.5)
            if part.translated == lang and not text:
                document.set_text_color(160, 40, 40)
                _paragraphs(document, f"{LABELS['pending'][0]} · {LABELS['pending'][1]}")
                document.set_text_color(0, 0, 0)
            else:
                _paragraphs(document, _plain(text) or "—")
            if part.translated == lang:
                _provenance(document, part)
        document.ln(3)
    return bytes(document.output())


def _provenance(document: Any, part: BilingualText) -> None:
    document.set_font(FAMILY, "", 8.5)
    document.set_text_color(110, 110, 110)
    _paragraphs(document, f"{part.provenance_en()} · {part.provenance_zh()}")
    if not part.verified:
        document.set_font(FAMILY, "B", 8.5)
        document.set_text_color(160, 40, 40)
        _paragraphs(document, f"{LABELS['not_verified'][0]} · {LABELS['not_verified'][1]}")
    document.set_text_color(0, 0, 0)


def _header_rows(consult: ConsultRequest, opinion: Opinion, view: BilingualOpinion) -> list[tuple[str, str]]:
    program_en = _english_label(Program, consult.program)
    rows: list[tuple[str, str]] = [
        ("reference", consult.reference),
        ("program", f"{program_en} · {PROGRAM_ZH.get(consult.program, '')}".strip(" ·")),
        ("patient", _patient_line(consult)),
        ("institution", consult.referring_institution),
        ("referring", consult.referring_physician_name or _person(consult.referring_physician)),
        ("centre", _centre(consult)),
        ("author", opinion.author_name or _person(opinion.author)),
    ]
    cosigner = opinion.cosigner_name or _person(opinion.cosigner)
    if cosigner:
        rows.append(("cosigner", cosigner))
    signed = timezone.localtime(opinion.signed_at).strftime("%Y-%m-%d %H:%M %Z") if opinion.signed_at else ""
    rows += [
        ("signer", opinion.signer_name),
        ("signed_at", signed),
        ("version", str(opinion.version)),
        ("hash", opinion.content_hash),
    ]
    if opinion.supersedes_id:
        rows.append(("supersedes", str(opinion.supersedes.version if opinion.supersedes else "")))
    if view.superseded_by:
        rows.append(("superseded", str(view.superseded_by)))
    return rows


def _patient_line(consult: ConsultRequest) -> str:
    # The name is re-linked only where the registry is: a hub never has it to print.
    if str(settings.HUIZHEN_ROLE) == "gateway" and consult.patient is not None:
        patient = consult.patient
        return f"{patient.full_name} · MRN {patient.mrn} · {patient.pseudonym}"
    return consult.patient_pseudonym


def _centre(consult: ConsultRequest) -> str:
    if str(settings.HUIZHEN_ROLE) == "gateway":
        return consult.peer.name if consult.peer is not None else ""
    return str(settings.HUIZHEN_NODE_NAME)
