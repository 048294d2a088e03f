"""Packaging a gateway case for the hub: the de-identified ``case.submitted`` payload and its files.

Everything that leaves is de-identified here (issue 4 item 3). One
:class:`~huizhen.deid.text.ScrubContext` per case, with the patient's date shift, scrubs
every free text (question, summary texts, text attachments), so tags stay consistent
across them ([姓名-1] is the same person everywhere); then the patient's own identifiers,
which the registry knows exactly, are replaced wherever they remain, so that an unusual
name with no cue cannot slip past the scrubber. Dates in structured fields move by the same shift; codes stay;
the referring physician's name and institution stay (staff, not patient); the pseudonym
stands for the patient. DICOM goes through the PS3.15 engine
(:func:`huizhen.deid.dicom.pipeline.deidentify_paths`) with this gateway's own UID key;
quarantined or rejected instances stay behind. PDFs and images have no safe
de-identifier yet, so they are left out with a note on the attachment, as is any file in
which the patient's identifiers are still found after de-identification.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pydicom
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huizhen.apps.consults.compliance import export_facts_for
from huizhen.apps.consults.models import Attachment, AttachmentKind, ConsultRequest, DeidStatus
from huizhen.apps.registry.models import Patient
from huizhen.deid.text import ScrubContext, scrub
from huizhen.deid.text.dates import shift_date

#: Summary keys whose values are codes from a code system, kept as written. Everything
#: else that is text is scrubbed, measurements and regimen names included: the scrubber
#: leaves clinical terms alone, and a name typed into a lab value must not pass.
CODE_KEYS = frozenset({"icd10", "icdo3", "loinc", "scale", "system", "code"})
#: Summary keys whose values are dates, shifted by the patient's date shift.
DATE_KEYS = frozenset({"date", "start", "end", "reported_on", "collected_on"})
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SEPARATORS = re.compile(r"[\s\-‐‑–—./\\()（）\[\]+^,，、_:：·・'\"]+")
_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]

#: DICOM value representations that hold characters a person could be identified by (PS3.5 6.2).
TEXT_VRS = frozenset({"PN", "LO", "SH", "LT", "ST", "UT", "UC", "AE", "DA", "DT", "TM", "AS", "CS", "UR"})

NOT_DEIDENTIFIABLE = _("cannot be de-identified yet; not sent")


@dataclass
class Package:
    """What goes to the hub: the event payload and the de-identified files it references by hash."""

    payload: dict[str, Any]
    blobs: dict[str, Path] = field(default_factory=dict)
    excluded: list[tuple[str, str]] = field(default_factory=list)


# --- the patient's identifiers in their common written forms ----------------------------------


def normalise(text: str) -> str:
    """``text`` case-folded with separators (spaces, dashes, dots, slashes, ^, commas…) removed."""
    return _SEPARATORS.sub("", text.casefold())


def identifier_forms(patient: Patient) -> dict[str, set[str]]:
    """Each identifier of ``patient`` as the :func:`normalise`-d forms it is commonly written in."""
    forms: dict[str, set[str]] = {}

    def add(kind: str, *values: str, minimum: int = 4) -> None:
        for value in values:
            plain = normalise(value or "")
            if len(plain) >= minimum:
                forms.setdefault(kind, set()).add(plain)

    family, given = patient.family_name or "", patient.given_name or ""
    add("name", family + given, given + family, minimum=2 if not (family + given).isascii() else 5)
    latin = [word for word in re.split(r"[\s^,]+", patient.name_latin or "") if word]
    if len(latin) >= 2:
        add("name", "".join(latin), "".join(reversed(latin)), minimum=5)
    add("medical record number", patient.mrn)
    add("national ID", patient.national_id, minimum=6)
    add("passport", patient.passport, minimum=6)
    phone = re.sub(r"\D", "", patient.phone or "")
    add("phone", phone, minimum=7)
    if phone.startswith("86") and len(phone) > 11:
        add("phone", phone[2:], minimum=7)
    add("e-mail", patient.email, minimum=5)
    add("address", patient.address, minimum=6)
    born = patient.birth_date
    if born:
        y, m, d = born.year, born.month, born.day
        month = _MONTHS[m - 1]
        add(
            "birth date",
            f"{y}{m:02}{d:02}",
            f"{d:02}{m:02}{y}",
            f"{m:02}{d:02}{y}",
            f"{y}{m}{d}",
            f"{y}年{m}月{d}日",
            f"{y}年{m:02}月{d:02}日",
            f"{month}{d}{y}",
            f"{d}{month}{y}",
            f"{month[:3]}{d}{y}",
            f"{d}{month[:3]}{y}",
            minimum=6,
        )
    return forms


def identifiers_in(text: str, forms: dict[str, set[str]]) -> list[str]:
    """The kinds of identifier in ``forms`` that ``text`` holds."""
    plain = normalise(text)
    return sorted(kind for kind, variants in forms.items() if any(variant in plain for variant in variants))


# --- text ---------------------------------------------------------------------------------------


class CaseScrubber:
    """Scrubs every text of one case with one context: the patient's identifiers first, then the engine."""

    def __init__(self, patient: Patient) -> None:
        self.patient = patient
        self.context = ScrubContext(date_shift_days=patient.date_shift_days)
        self._known = _known_surfaces(patient)

    def text(self, value: str) -> str:
        if not value:
            return value
        value = scrub(value, context=self.context).text
        # Then whatever of the patient's own identifiers the engine did not recognise.
        lang = "zh" if any("\u4e00" <= ch <= "\u9fff" for ch in value) else "en"
        for kind, surface, pattern in self._known:
            if kind == "DATE":
                value = pattern.sub(lambda match: shift_date(match.group(0), self.context.date_shift_days), value)
            else:
                # Tagged only when found, so unused surfaces take no number.
                value = pattern.sub(self._tagger(kind, surface, lang), value)
        return value

    def _tagger(self, kind: str, surface: str, lang: str) -> Callable[[re.Match[str]], str]:
        def tag(_match: re.Match[str]) -> str:
            return self.context.tag(kind, surface, lang=lang)

        return tag

    def date(self, value: str) -> str:
        if not isinstance(value, str) or not _ISO_DATE.match(value):
            return self.text(value) if isinstance(value, str) else value
        return (date.fromisoformat(value) + timedelta(days=self.patient.date_shift_days)).isoformat()

    def summary(self, value: Any, key: str = "") -> Any:
        if isinstance(value, dict):
            return {k: self.summary(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self.summary(item, key) for item in value]
        if not isinstance(value, str):
            return value
        if key in DATE_KEYS or _ISO_DATE.match(value):
            return self.date(value)
        if key in CODE_KEYS:
            return value
        return self.text(value)


def _flexible(surface: str) -> re.Pattern[str]:
    # Any separators (or none) between the characters, case-insensitive.
    chars = [re.escape(ch) for ch in normalise(surface)]
    return re.compile(r"[\s\-./^,_·]*".join(chars), re.IGNORECASE)


def _known_surfaces(patient: Patient) -> list[tuple[str, str, re.Pattern[str]]]:
    found: list[tuple[str, str, re.Pattern[str]]] = []
    names = [patient.family_name + patient.given_name] if patient.family_name else []
    latin = [word for word in re.split(r"[\s^,]+", patient.name_latin or "") if word]
    if len(latin) >= 2:
        names += [" ".join(latin), " ".join(reversed(latin))]
    for name in names:
        if len(normalise(name)) >= 2:
            found.append(("NAME", name, _flexible(name)))
    for kind, value in (
        ("RECORD_NUMBER", patient.mrn),
        ("ID_NUMBER", patient.national_id),
        ("ID_NUMBER", patient.passport),
        ("PHONE", patient.phone),
        ("EMAIL", patient.email),
        ("ADDRESS", patient.address),
    ):
        if value and len(normalise(value)) >= 4:
            found.append((kind, value, _flexible(value)))
    born = patient.birth_date
    if born:
        y, m, d = born.year, born.month, born.day
        for form in (f"{y}-{m:02}-{d:02}", f"{y}/{m:02}/{d:02}", f"{y}.{m:02}.{d:02}", f"{y}年{m}月{d}日"):
            found.append(("DATE", form, re.compile(re.escape(form))))
        found.append(("DATE", f"{y}{m:02}{d:02}", re.compile(rf"(?<!\d){y}{m:02}{d:02}(?!\d)")))
    # Longest first, so "欧阳震华" goes before a shorter surface it contains.
    return sorted(found, key=lambda item: -len(item[1]))


# --- the package ----------------------------------------------------------------------------------


def build_package(*, consult: ConsultRequest) -> Package:
    """De-identify ``consult`` (a gateway original) into the ``case.submitted`` payload and its files.

    Records on each attachment what de-identification made of it (INCLUDED, or EXCLUDED
    with the reason), so the referring physician sees what was sent.
    """
    patient = consult.patient
    if patient is None:
        raise ValueError(f"{consult.reference} has no patient; only a gateway original can be packaged")
    scrubber = CaseScrubber(patient)
    forms = identifier_forms(patient)
    package = Package(payload={})
    attachments: list[dict[str, Any]] = []
    for index, attachment in enumerate(consult.attachments.filter(message=None), start=1):
        entry = _package_attachment(
            attachment=attachment, index=index, scrubber=scrubber, forms=forms, package=package, consult=consult
        )
        if entry is not None:
            attachments.append(entry)
    package.payload = {
        "reference": consult.reference,
        "pseudonym": patient.pseudonym,
        "program": consult.program,
        "urgency": consult.urgency,
        "subspecialty": consult.subspecialty,
        "language": consult.language,
        "question": scrubber.text(consult.question),
        "summary": scrubber.summary(consult.summary or {}),
        "referring_physician_name": consult.referring_physician_name,
        "referring_institution": consult.referring_institution,
        "attachments": attachments,
        "submitted_at": (consult.submitted_at or timezone.now()).isoformat(),
        # Facts the hub's policy checks need and cannot know itself; no identifier.
        "export_facts": export_facts_for(consult),
    }
    return package


def _package_attachment(
    *,
    attachment: Attachment,
    index: int,
    scrubber: CaseScrubber,
    forms: dict[str, set[str]],
    package: Package,
    consult: ConsultRequest,
) -> dict[str, Any] | None:
    title = scrubber.text(attachment.title)
    if attachment.kind == AttachmentKind.TEXT:
        return _package_text(attachment, index, title, scrubber, forms, package, consult)
    if attachment.kind == AttachmentKind.DICOM:
        return _package_dicom(attachment, index, title, scrubber, forms, package, consult)
    _exclude(attachment, str(NOT_DEIDENTIFIABLE), package)
    return None


def _package_text(
    attachment: Attachment,
    index: int,
    title: str,
    scrubber: CaseScrubber,
    forms: dict[str, set[str]],
    package: Package,
    consult: ConsultRequest,
) -> dict[str, Any] | None:
    source = _blob_path(attachment.blob)
    try:
        raw = source.read_bytes()
    except OSError:
        _exclude(attachment, str(_("the file is missing; not sent")), package)
        return None
    text = _decode(raw)
    if text is None:
        _exclude(attachment, str(_("not readable as text; not sent")), package)
        return None
    cleaned = scrubber.text(text)
    if identifiers_in(cleaned, forms):
        _exclude(attachment, str(_("patient identifiers remained after de-identification; not sent")), package)
        return None
    content = cleaned.encode("utf-8")
    digest = hashlib.sha256(content).hexdigest()
    relative = f"deid/{consult.reference}/{digest}"
    target = _blob_path(relative)
    _write_atomically(target, content)
    _include(attachment, relative, digest, "", package, target)
    return {
        "sha256": digest,
        "filename": f"report-{index}.txt",
        "kind": attachment.kind,
        "title": title,
        "size": len(content),
        "content_type": "text/plain; charset=utf-8",
    }


def _pin_case_date_shift(source: Path, vault_path: Path, days: int) -> None:
    """Make the DICOM engine shift this study's dates by the case's shift, as the text is.

    The engine keys its per-patient shift by the header's patient identity; pinning the
    registry patient's shift under every key the study's headers give keeps the images'
    dates on the same timeline as the summary and the letters the hub reads.
    """
    from huizhen.deid.dicom.dates import patient_key
    from huizhen.deid.dicom.pipeline import walk_inputs
    from huizhen.deid.dicom.vault import SqliteVault

    keys = {key for path, _source in walk_inputs([source]) if (key := _dicom_patient_key(path, patient_key))}
    vault = SqliteVault(vault_path)
    try:
        for key in keys:
            vault.pin_date_shift(key, days)
    finally:
        vault.close()


def _dicom_patient_key(path: Path, patient_key: Callable[..., str]) -> str | None:
    try:
        header = pydicom.dcmread(path, stop_before_pixels=True, force=True)
    except Exception:
        # An unreadable file gets no pinned shift; the engine itself judges (and rejects) it.
        return None
    return patient_key(
        patient_id=str(header.get("PatientID", "") or ""),
        issuer=str(header.get("IssuerOfPatientID", "") or ""),
        name=str(header.get("PatientName", "") or ""),
        birth_date=str(header.get("PatientBirthDate", "") or ""),
    )


def _package_dicom(
    attachment: Attachment,
    index: int,
    title: str,
    scrubber: CaseScrubber,
    forms: dict[str, set[str]],
    package: Package,
    consult: ConsultRequest,
) -> dict[str, Any] | None:
    from huizhen.deid.dicom.pipeline import deidentify_paths

    source = _blob_path(attachment.blob)
    if not source.exists():
        _exclude(attachment, str(_("the file is missing; not sent")), package)
        return None
    vault_path = _deid_dir() / "dicom-vault.sqlite3"
    if consult.patient is not None:
        _pin_case_date_shift(source, vault_path, consult.patient.date_shift_days)
    work = _blob_path(f"deid/{consult.reference}/dicom-{attachment.pk}")
    out_dir, quarantine = work / "out", work / "quarantine"
    report = deidentify_paths(
        [source],
        out_dir=out_dir,
        uid_key=dicom_uid_key(),
        vault_path=vault_path,
        quarantine_dir=quarantine,
    )
    files: list[dict[str, Any]] = []
    left_out: list[str] = []
    for row in report.files:
        if row.status != "deidentified" or row.output is None:
            left_out.append(f"{row.status}: {row.reason or ''}".strip())
            continue
        path = out_dir / row.output
        if _dicom_identifiers(path, forms):
            left_out.append(str(_("patient identifiers remained in the header")))
            path.unlink(missing_ok=True)
            continue
        content = path.read_bytes()
        digest = hashlib.sha256(content).hexdigest()
        package.blobs[digest] = path
        files.append({"sha256": digest, "path": row.output, "size": len(content)})
    if not files:
        reason = "; ".join(sorted(set(left_out))) or str(_("no DICOM instance"))
        _exclude(attachment, str(_("no instance could be de-identified; not sent")) + f" ({reason})", package)
        return None
    manifest = json.dumps(sorted((f["path"], f["sha256"]) for f in files), separators=(",", ":")).encode()
    digest = hashlib.sha256(manifest).hexdigest()
    note = ""
    if left_out:
        note = (
            str(_("%(count)d of %(total)d instances left out"))
            % {
                "count": len(left_out),
                "total": len(report.files),
            }
            + f": {'; '.join(sorted(set(left_out)))}"
        )
    relative_out = out_dir.relative_to(Path(settings.HUIZHEN_BLOB_DIR)).as_posix()
    _include(attachment, relative_out, digest, note, package, None)
    return {
        "sha256": digest,
        "filename": f"study-{index}",
        "kind": attachment.kind,
        "title": title,
        "size": sum(f["size"] for f in files),
        "content_type": "application/dicom",
        "files": files,
    }


def _dicom_identifiers(path: Path, forms: dict[str, set[str]]) -> list[str]:
    import pydicom

    try:
        dataset = pydicom.dcmread(path, stop_before_pixels=True)
    except Exception:
        return ["unreadable"]
    found: set[str] = set()
    for element in dataset.iterall():
        # Element by element and text only: UIDs and numbers run together would spell digits by chance.
        if element.VR in TEXT_VRS and element.value not in (None, ""):
            found.update(identifiers_in(str(element.value), forms))
    return sorted(found)


def _include(
    attachment: Attachment, relative: str, digest: str, note: str, package: Package, path: Path | None
) -> None:
    attachment.deid_status = DeidStatus.INCLUDED
    attachment.deid_note = note
    attachment.deid_blob = relative
    attachment.deid_sha256 = digest
    attachment.save(update_fields=["deid_status", "deid_note", "deid_blob", "deid_sha256"])
    if path is not None:
        package.blobs[digest] = path


def _exclude(attachment: Attachment, reason: str, package: Package) -> None:
    attachment.deid_status = DeidStatus.EXCLUDED
    attachment.deid_note = reason
    attachment.deid_blob = ""
    attachment.deid_sha256 = ""
    attachment.save(update_fields=["deid_status", "deid_note", "deid_blob", "deid_sha256"])
    package.excluded.append((attachment.title or attachment.filename, reason))


def _decode(raw: bytes) -> str | None:
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _blob_path(relative: str) -> Path:
    root = Path(settings.HUIZHEN_BLOB_DIR).resolve()
    path = (root / relative).resolve()
    if root not in path.parents and path != root:
        raise ValueError("attachment path escapes the blob directory")
    return path


def _deid_dir() -> Path:
    path = Path(settings.HUIZHEN_DATA_DIR) / "deid"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _write_atomically(target: Path, content: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
    temporary.write_bytes(content)
    os.replace(temporary, target)


def dicom_uid_key() -> bytes:
    """This gateway's secret key for DICOM UID replacement, created once (0600, atomically)."""
    path = _deid_dir() / "dicom-uid.key"
    if path.exists():
        return path.read_bytes()
    temporary = path.with_name(f".dicom-uid.key.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(descriptor, secrets.token_bytes(32))
    finally:
        os.close(descriptor)
    try:
        # link() fails if another process created the key first: theirs wins, ours goes.
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink(missing_ok=True)
    return path.read_bytes()
