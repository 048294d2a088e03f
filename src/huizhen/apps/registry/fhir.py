"""Import of a FHIR R4 Bundle from a hospital system: a registry patient and a draft consultation request.

The bundle is validated with the R4B models of ``fhir.resources`` (R4B is R4 with
fixes; an R4 bundle validates with it) and mapped, resource by resource, onto the
registry and the structured summary (:mod:`huizhen.apps.consults.summary`):

- ``Patient`` → the registry patient: names (the Han-character name as family/given,
  a Latin-letter name beside it), identifiers by type (v2-0203 ``MR`` record number,
  ``NI``/``NNxxx``/the PRC resident-ID OID national ID, ``PPN`` passport) or by system,
  birth date, gender, phone/e-mail, address. A patient whose record number is already
  registered is reused, not duplicated.
- ``Condition`` → diagnoses (ICD-10 by the systems ``http://hl7.org/fhir/sid/icd-10*``;
  ICD-O-3 morphology as a coding or an extension), stage, notes into the history.
- ``Observation`` → labs (LOINC code, ``valueQuantity`` with its unit), ECOG
  performance status (LOINC 89247-1) or Karnofsky (89243-0), stage (LOINC 21908-9 …).
- ``DiagnosticReport`` → pathology, IHC, flow cytometry, cytogenetics or molecular by
  category and code where recognisable, the history otherwise; its ``presentedForm`` is
  kept as an attachment.
- ``MedicationStatement``/``MedicationRequest`` → treatment lines grouped by regimen.
- ``Procedure``, ``ImagingStudy`` → lines of the history (DICOM files come separately).
- ``DocumentReference`` → attachments from inline ``data`` or a ``Binary`` in the bundle;
  an external URL is never fetched and is listed as refused.

Other resource types are skipped and listed in the notes. A bundle that is not JSON, not
a Bundle or not valid FHIR is refused with every problem found (:class:`BundleRejected`)
and nothing is created: the import is one transaction, and files written before a
failure are removed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from pydantic import ValidationError

from huizhen.apps.audit.models import AuditEntry
from huizhen.apps.audit.services import record_event
from huizhen.apps.nodes.models import Peer
from huizhen.apps.registry import blobs, services
from huizhen.apps.registry.models import Patient, Sex

ICD10_SYSTEM = re.compile(r"^http://hl7\.org/fhir/sid/icd-10")
ICDO3_SYSTEMS = ("icd-o-3", "icdo3", "icd-o")
LOINC = "http://loinc.org"
ECOG_LOINC = "89247-1"
KARNOFSKY_LOINC = "89243-0"
STAGE_LOINCS = {"21908-9", "21902-2", "21914-7", "75620-5", "88860-2"}
PRC_RESIDENT_ID_OID = "urn:oid:2.16.156.10011.1.1.1"
HANDLED = {
    "Patient",
    "Condition",
    "Observation",
    "DiagnosticReport",
    "MedicationStatement",
    "MedicationRequest",
    "Procedure",
    "DocumentReference",
    "ImagingStudy",
    "Binary",
}
#: Where a diagnostic report's conclusion goes, by v2-0074 section code, then by words in its category or code.
REPORT_SECTIONS = {
    "SP": "pathology",
    "PAT": "pathology",
    "CG": "cytogenetics",
    "GE": "molecular",
    "FC": "flow_cytometry",
}
REPORT_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ihc", ("ihc", "immunohisto", "免疫组化", "免疫组织化学")),
    ("flow_cytometry", ("flow", "流式", "免疫分型")),
    ("cytogenetics", ("cytogenetic", "karyotype", "fish", "染色体", "核型", "细胞遗传")),
    ("molecular", ("molecular", "genetic", "ngs", "pcr", "mutation", "基因", "分子", "突变")),
    ("pathology", ("pathology", "histolog", "biopsy", "病理", "活检", "骨髓形态")),
)
RESPONSE = re.compile(r"(?<![A-Za-z])(sCR|CRi|CR|VGPR|PR|MR|SD|PD)(?![A-Za-z])")
CYCLES = re.compile(r"(?:共|完成)?\s*(\d{1,2})\s*(?:个)?(?:疗程|周期|cycles?\b)", re.IGNORECASE)


class BundleRejected(ValueError):
    """The bundle was refused; ``problems`` lists every reason found (nothing was created)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class _Import:
    """What the bundle maps to, gathered before anything is written."""

    patient: dict[str, Any] = field(default_factory=dict)
    diagnoses: list[dict[str, Any]] = field(default_factory=list)
    stage: list[str] = field(default_factory=list)
    performance_status: dict[str, Any] | None = None
    labs: list[dict[str, Any]] = field(default_factory=list)
    sections: dict[str, list[str]] = field(default_factory=dict)
    history: list[str] = field(default_factory=list)
    medications: list[dict[str, Any]] = field(default_factory=list)
    documents: list[tuple[str, bytes, str]] = field(default_factory=list)  # (filename, content, title)
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


# -- Reading ------------------------------------------------------------------------------


def _load(data: bytes | str | dict[str, Any]) -> dict[str, Any]:
    if isinstance(data, dict):
        loaded: Any = data
    else:
        try:
            loaded = json.loads(data)
        except (ValueError, UnicodeDecodeError) as error:
            raise BundleRejected([_("The file is not JSON: %(error)s") % {"error": error}]) from None
    if not isinstance(loaded, dict) or loaded.get("resourceType") != "Bundle":
        raise BundleRejected([_('The JSON is not a FHIR Bundle (resourceType must be "Bundle").')])
    return loaded


def _validation_problems(where: str, error: ValidationError) -> list[str]:
    problems = []
    for item in error.errors():
        loc = ".".join(str(part) for part in item["loc"])
        message = str(item["msg"]).removeprefix("Value error, ")
        problems.append(f"{where}{'.' + loc if loc else ''}: {message}")
    return problems


def _validate(bundle: dict[str, Any], found: _Import) -> list[dict[str, Any]]:
    """The entries' resources of the types this import reads, each validated; others noted."""
    entries = bundle.get("entry") or []
    if not isinstance(entries, list):
        found.problems.append(_("Bundle.entry must be a list."))
        return []
    shell = {key: value for key, value in bundle.items() if key != "entry"}
    try:
        Bundle.model_validate(shell)
    except ValidationError as error:
        found.problems.extend(_validation_problems("Bundle", error))
    resources: list[dict[str, Any]] = []
    skipped: dict[str, int] = {}
    for index, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
            found.problems.append(_("entry[%(index)s] has no resource with a resourceType.") % {"index": index})
            continue
        kind = resource["resourceType"]
        if kind not in HANDLED:
            skipped[kind] = skipped.get(kind, 0) + 1
            continue
        try:
            get_fhir_model_class(kind).model_validate(resource)
        except ValidationError as error:
            found.problems.extend(_validation_problems(f"entry[{index}] ({kind})", error))
            continue
        resources.append({**resource, "_fullUrl": entry.get("fullUrl", "")})
    for kind, count in sorted(skipped.items()):
        found.notes.append(
            _("Skipped %(count)s %(kind)s resource(s): not used for a consultation.") % {"count": count, "kind": kind}
        )
    return resources


def _codings(concept: Any) -> list[dict[str, Any]]:
    return [c for c in (concept or {}).get("coding") or [] if isinstance(c, dict)]


def _concept_text(concept: Any) -> str:
    concept = concept or {}
    if concept.get("text"):
        return str(concept["text"])
    for coding in _codings(concept):
        if coding.get("display"):
            return str(coding["display"])
    return ""


def _loinc(concept: Any) -> str:
    return next((str(c.get("code", "")) for c in _codings(concept) if c.get("system") == LOINC), "")


def _date(value: Any) -> str:
    return str(value)[:10] if value else ""


def _effective(resource: dict[str, Any]) -> str:
    for key in ("effectiveDateTime", "onsetDateTime", "performedDateTime", "recordedDate", "issued", "started"):
        if resource.get(key):
            return _date(resource[key])
    for key in ("effectivePeriod", "performedPeriod", "onsetPeriod"):
        if isinstance(resource.get(key), dict) and resource[key].get("start"):
            return _date(resource[key]["start"])
    return ""


def _is_han(text: str) -> bool:
    return any("\u3400" <= char <= "\u9fff" for char in text)


def _read_patient(resource: dict[str, Any], found: _Import) -> None:
    fields: dict[str, Any] = {}
    for name in resource.get("name") or []:
        family = str(name.get("family") or "")
        given = "".join(name.get("given") or []) if _is_han(family) else " ".join(name.get("given") or [])
        text = str(name.get("text") or "")
        if not family and text:
            if _is_han(text):
                family, given = text[:1], text[1:]
            else:
                parts = text.split()
                family, given = (parts[-1], " ".join(parts[:-1])) if parts else ("", "")
        if _is_han(family or text):
            fields.setdefault("family_name", family)
            fields.setdefault("given_name", given)
        elif family or given:
            fields.setdefault("name_latin", text or f"{given} {family}".strip())
            fields.setdefault("_latin_parts", (family, given))
    if "family_name" not in fields and "_latin_parts" in fields:
        fields["family_name"], fields["given_name"] = fields["_latin_parts"]
    fields.pop("_latin_parts", None)
    for identifier in resource.get("identifier") or []:
        value = str(identifier.get("value") or "").strip()
        if not value:
            continue
        codes = {str(c.get("code", "")) for c in _codings(identifier.get("type"))}
        system = str(identifier.get("system") or "").lower()
        if "MR" in codes or "mrn" in system or "medical-record" in system:
            fields.setdefault("mrn", value)
        elif "PPN" in codes or "passport" in system:
            fields.setdefault("passport", value)
        elif codes & {"NI", "NNCHN", "NN", "SS"} or system == PRC_RESIDENT_ID_OID or "national" in system:
            fields.setdefault("national_id", value)
    if resource.get("birthDate"):
        fields["birth_date"] = str(resource["birthDate"])
    fields["sex"] = {"male": Sex.MALE, "female": Sex.FEMALE, "other": Sex.OTHER}.get(
        str(resource.get("gender") or ""), Sex.UNKNOWN
    )
    for telecom in resource.get("telecom") or []:
        if telecom.get("system") == "phone" and telecom.get("value"):
            fields.setdefault("phone", str(telecom["value"])[:64])
        if telecom.get("system") == "email" and telecom.get("value"):
            fields.setdefault("email", str(telecom["value"])[:254])
    for address in resource.get("address") or []:
        text = address.get("text") or "".join(
            str(part)
            for part in (
                address.get("state"),
                address.get("city"),
                address.get("district"),
                *(address.get("line") or []),
            )
            if part
        )
        if text:
            fields.setdefault("address", str(text)[:300])
        country = str(address.get("country") or "").upper()
        if len(country) == 2:
            fields.setdefault("country", country)
    if not fields.get("family_name"):
        found.problems.append(_("Patient: a name is required."))
    if not fields.get("mrn"):
        found.problems.append(_("Patient: an identifier of type MR (medical record number) is required."))
    if not fields.get("birth_date"):
        found.problems.append(_("Patient: birthDate is required."))
    found.patient = fields


def _icdo3_from(resource: dict[str, Any]) -> str:
    for coding in _codings(resource.get("code")):
        if any(mark in str(coding.get("system", "")).lower() for mark in ICDO3_SYSTEMS):
            return str(coding.get("code", ""))
    for extension in resource.get("extension") or []:
        if any(mark in str(extension.get("url", "")).lower() for mark in (*ICDO3_SYSTEMS, "morphology", "histology")):
            concept = extension.get("valueCodeableConcept")
            if concept:
                return next((str(c.get("code", "")) for c in _codings(concept) if c.get("code")), "")
            if extension.get("valueCode"):
                return str(extension["valueCode"])
    return ""


def _read_condition(resource: dict[str, Any], found: _Import) -> None:
    icd10 = next(
        (
            str(c.get("code", ""))
            for c in _codings(resource.get("code"))
            if ICD10_SYSTEM.match(str(c.get("system", "")))
        ),
        "",
    )
    text = _concept_text(resource.get("code"))
    found.diagnoses.append({"text": text, "icd10": icd10, "icdo3": _icdo3_from(resource), "date": _effective(resource)})
    for stage in resource.get("stage") or []:
        summary = _concept_text(stage.get("summary"))
        if summary:
            found.stage.append(summary)
    for note in resource.get("note") or []:
        if note.get("text"):
            found.history.append(str(note["text"]))


def _read_observation(resource: dict[str, Any], found: _Import) -> None:
    loinc = _loinc(resource.get("code"))
    name = _concept_text(resource.get("code"))
    date = _effective(resource)
    value: Any = None
    unit = ""
    if "valueQuantity" in resource:
        quantity = resource["valueQuantity"]
        value, unit = quantity.get("value"), str(quantity.get("unit") or quantity.get("code") or "")
    elif "valueInteger" in resource:
        value = resource["valueInteger"]
    elif "valueString" in resource:
        value = resource["valueString"]
    elif "valueCodeableConcept" in resource:
        value = _concept_text(resource["valueCodeableConcept"])
    if loinc in (ECOG_LOINC, KARNOFSKY_LOINC):
        number = _first_int(value)
        if number is None:
            found.notes.append(_("A performance-status observation without a number was skipped."))
        else:
            found.performance_status = {"scale": "ECOG" if loinc == ECOG_LOINC else "KPS", "value": number}
        return
    if loinc in STAGE_LOINCS or re.search(r"stage|分期", name, re.IGNORECASE):
        if value not in (None, ""):
            found.stage.append(str(value))
        return
    if value in (None, ""):
        found.notes.append(_("An observation without a value was skipped: %(name)s") % {"name": name or loinc})
        return
    found.labs.append({"name": name[:100], "loinc": loinc, "value": _number_text(value), "unit": unit, "date": date})


def _first_int(value: Any) -> int | None:
    if isinstance(value, int | float):
        return int(value)
    match = re.search(r"\d+", str(value or ""))
    return int(match.group()) if match else None


def _number_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _report_section(resource: dict[str, Any]) -> str:
    for category in resource.get("category") or []:
        for coding in _codings(category):
            section = REPORT_SECTIONS.get(str(coding.get("code", "")))
            words = _concept_text(category).lower() + " " + _concept_text(resource.get("code")).lower()
            for candidate, marks in REPORT_WORDS:
                if any(mark in words for mark in marks):
                    # The words are more specific than the section (IHC is filed under SP).
                    return candidate
            if section:
                return section
    words = " ".join(_concept_text(c).lower() for c in [*(resource.get("category") or []), resource.get("code")])
    for candidate, marks in REPORT_WORDS:
        if any(mark in words for mark in marks):
            return candidate
    return "history"


def _decode(data: str, where: str, found: _Import) -> bytes | None:
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        found.problems.append(_("%(where)s: attachment data is not valid base64.") % {"where": where})
        return None


def _presented_text(attachment: dict[str, Any]) -> str:
    content_type = str(attachment.get("contentType") or "")
    if attachment.get("data") and content_type.startswith("text/"):
        try:
            return base64.b64decode(attachment["data"]).decode("utf-8").strip()
        except (binascii.Error, ValueError):
            return ""
    return ""


def _read_report(resource: dict[str, Any], found: _Import, binaries: dict[str, dict[str, Any]]) -> None:
    title = _concept_text(resource.get("code")) or _("Report")
    date = _effective(resource)
    section = _report_section(resource)
    conclusion = str(resource.get("conclusion") or "").strip()
    forms = [form for form in resource.get("presentedForm") or [] if isinstance(form, dict)]
    if not conclusion:
        conclusion = next((text for text in map(_presented_text, forms) if text), "")
    if conclusion:
        found.sections.setdefault(section, []).append(
            f"{title}（{date}）：{conclusion}" if date else f"{title}：{conclusion}"
        )
    for number, form in enumerate(forms, start=1):
        _read_attachment(
            form,
            title=title,
            where=f"DiagnosticReport {title} #{number}",
            found=found,
            binaries=binaries,
        )


def _read_medication(resource: dict[str, Any], found: _Import) -> None:
    concept = resource.get("medicationCodeableConcept") or {}
    regimen = next(
        (
            str(c.get("code"))
            for c in _codings(concept)
            if "regimen" in str(c.get("system", "")).lower() and c.get("code")
        ),
        "",
    )
    group = regimen or str((resource.get("groupIdentifier") or {}).get("value") or "") or _concept_text(concept)
    if not group:
        reference = (resource.get("medicationReference") or {}).get("display") or ""
        group = str(reference)
    if not group:
        found.notes.append(_("A medication without a name or regimen was skipped."))
        return
    period = resource.get("effectivePeriod") or {}
    start = _date(period.get("start") or resource.get("effectiveDateTime") or resource.get("authoredOn"))
    validity = ((resource.get("dispenseRequest") or {}).get("validityPeriod")) or {}
    end = _date(period.get("end") or validity.get("end"))
    notes = " ".join(str(note.get("text")) for note in resource.get("note") or [] if note.get("text"))
    found.medications.append({"group": group[:200], "start": start, "end": end, "note": notes})


def _read_procedure(resource: dict[str, Any], found: _Import) -> None:
    what = _concept_text(resource.get("code")) or _("Procedure")
    sites = "、".join(_concept_text(site) for site in resource.get("bodySite") or [] if _concept_text(site))
    date = _effective(resource)
    found.history.append(f"{date} {what}{f'（{sites}）' if sites else ''}".strip())


def _read_imaging_study(resource: dict[str, Any], found: _Import) -> None:
    modalities = ",".join(str(m.get("code")) for m in resource.get("modality") or [] if m.get("code"))
    description = str(resource.get("description") or "")
    counts = _("%(series)s series, %(instances)s images") % {
        "series": resource.get("numberOfSeries", len(resource.get("series") or [])),
        "instances": resource.get("numberOfInstances", "?"),
    }
    found.history.append(
        " ".join(part for part in (_date(resource.get("started")), modalities, description, counts) if part)
    )
    found.notes.append(_("An imaging study was recorded in the history; attach its DICOM files separately."))


def _read_attachment(
    attachment: dict[str, Any], *, title: str, where: str, found: _Import, binaries: dict[str, dict[str, Any]]
) -> None:
    # A title such as "FISH（MYC/BCL2）" is a name, not a path.
    filename = re.sub(r"[/\\]", "-", str(attachment.get("title") or title or "document"))
    if attachment.get("data"):
        content = _decode(str(attachment["data"]), where, found)
        if content is not None:
            found.documents.append((filename, content, title))
        return
    url = str(attachment.get("url") or "")
    if not url:
        found.notes.append(_("%(where)s: no content to import.") % {"where": where})
        return
    binary = binaries.get(url) or binaries.get(url.rsplit("/", 1)[-1] if url.startswith("Binary/") else "")
    if binary is None:
        # Never fetched: the gateway does not reach out to addresses found in imported data.
        found.notes.append(
            _("%(where)s: refused the external link %(url)s (not fetched).") % {"where": where, "url": url}
        )
        return
    content = _decode(str(binary.get("data") or ""), where, found)
    if content:
        found.documents.append((filename, content, title))
    elif content is not None:
        found.notes.append(_("%(where)s: the referenced Binary is empty.") % {"where": where})


def _read_document(resource: dict[str, Any], found: _Import, binaries: dict[str, dict[str, Any]]) -> None:
    title = str(resource.get("description") or _concept_text(resource.get("type")) or _("Document"))
    for number, content in enumerate(resource.get("content") or [], start=1):
        attachment = content.get("attachment") or {}
        _read_attachment(
            attachment, title=title, where=f"DocumentReference {title} #{number}", found=found, binaries=binaries
        )


def _treatment_lines(medications: list[dict[str, Any]]) -> list[dict[str, Any]]:
    groups: dict[str, dict[str, Any]] = {}
    for medication in medications:
        line = groups.setdefault(
            medication["group"], {"regimen": medication["group"], "start": "", "end": "", "notes": []}
        )
        if medication["start"] and (not line["start"] or medication["start"] < line["start"]):
            line["start"] = medication["start"]
        if medication["end"] and medication["end"] > line["end"]:
            line["end"] = medication["end"]
        if medication["note"]:
            line["notes"].append(medication["note"])
    ordered = sorted(groups.values(), key=lambda line: line["start"] or "9999")
    lines = []
    for number, line in enumerate(ordered, start=1):
        note = " ".join(line["notes"])
        row: dict[str, Any] = {"line": number, "regimen": line["regimen"], "note": note[:1000]}
        if line["start"]:
            row["start"] = line["start"]
        if line["end"] and line["end"] >= (line["start"] or ""):
            row["end"] = line["end"]
        if response := RESPONSE.search(note):
            row["response"] = response.group(1)
        if cycles := CYCLES.search(note):
            row["cycles"] = int(cycles.group(1))
        lines.append(row)
    return lines


def read_bundle(data: bytes | str | dict[str, Any]) -> _Import:
    """Validate and map ``data``; raises :class:`BundleRejected` with every problem found."""
    bundle = _load(data)
    found = _Import()
    resources = _validate(bundle, found)
    binaries: dict[str, dict[str, Any]] = {}
    for resource in resources:
        if resource["resourceType"] == "Binary":
            for key in (resource.get("_fullUrl"), f"Binary/{resource.get('id')}", resource.get("id")):
                if key:
                    binaries[str(key)] = resource
    patients = [r for r in resources if r["resourceType"] == "Patient"]
    if len(patients) != 1 and not found.problems:
        found.problems.append(
            _("The bundle must hold exactly one Patient (it holds %(count)s).") % {"count": len(patients)}
        )
    for resource in resources:
        kind = resource["resourceType"]
        if kind == "Patient":
            _read_patient(resource, found)
        elif kind == "Condition":
            _read_condition(resource, found)
        elif kind == "Observation":
            _read_observation(resource, found)
        elif kind == "DiagnosticReport":
            _read_report(resource, found, binaries)
        elif kind in ("MedicationStatement", "MedicationRequest"):
            _read_medication(resource, found)
        elif kind == "Procedure":
            _read_procedure(resource, found)
        elif kind == "ImagingStudy":
            _read_imaging_study(resource, found)
        elif kind == "DocumentReference":
            _read_document(resource, found, binaries)
    if found.problems:
        raise BundleRejected(found.problems)
    return found


def summary_of(found: _Import) -> dict[str, Any]:
    """The structured summary (validated later by the authoring service)."""
    summary: dict[str, Any] = {
        "diagnoses": found.diagnoses,
        "stage": "；".join(dict.fromkeys(found.stage))[:200],
        "treatment_lines": _treatment_lines(found.medications),
        "labs": found.labs[:200],
        "history": "\n".join(found.history),
    }
    if found.performance_status is not None:
        summary["performance_status"] = found.performance_status
    limits = {"pathology": 20000, "ihc": 5000, "flow_cytometry": 5000, "cytogenetics": 5000, "molecular": 5000}
    for section, texts in found.sections.items():
        joined = "\n".join(texts)
        if section == "history":
            summary["history"] = "\n".join(part for part in (summary["history"], joined) if part)
        else:
            summary[section] = joined[: limits[section]]
    summary["history"] = summary["history"][:50000]
    return summary


# -- Writing ------------------------------------------------------------------------------


def _previous_import(bundle_sha256: str) -> Any:
    """The draft an identical bundle already made, so that a retried import returns it."""
    from huizhen.apps.consults.models import ConsultRequest, State

    entry = (
        AuditEntry.objects.filter(action="consult.imported", detail__bundle_sha256=bundle_sha256)
        .order_by("-seq")
        .first()
    )
    if entry is None:
        return None
    return ConsultRequest.objects.filter(reference=entry.target, state=State.DRAFT).first()


def import_bundle(*, data: bytes | str | dict[str, Any], by: Any, peer: Peer | None = None, request: Any = None) -> Any:
    """Create (or reuse, by record number) the patient and a draft request from a FHIR R4 Bundle.

    Returns the draft :class:`~huizhen.apps.consults.models.ConsultRequest`; its
    ``import_notes`` lists what was skipped or refused. Raises :class:`BundleRejected`
    (nothing created) or :class:`services.NotAGateway`. Importing the same bundle again
    returns the draft it made while that is still a draft.
    """
    from huizhen.apps.consults import authoring
    from huizhen.apps.consults.summary import SummaryInvalid, clean_summary

    services.require_gateway()
    raw = (
        json.dumps(data, sort_keys=True).encode()
        if isinstance(data, dict)
        else (data.encode() if isinstance(data, str) else data)
    )
    bundle_sha256 = hashlib.sha256(raw).hexdigest()
    found = read_bundle(data)
    try:
        summary = clean_summary(summary_of(found))
    except SummaryInvalid as invalid:
        raise BundleRejected([_("Summary: %(problem)s") % {"problem": p} for p in invalid.problems]) from None
    previous = _previous_import(bundle_sha256)
    if previous is not None:
        previous.import_notes = [_("This bundle was imported before; its draft is returned.")]
        return previous
    written: list[str] = []
    try:
        with transaction.atomic():
            patient = Patient.objects.filter(mrn=found.patient["mrn"]).first()
            if patient is None:
                try:
                    patient = services.create_patient(by=by, request=request, **found.patient)
                except Exception as error:  # every refusal becomes a listed problem
                    messages = getattr(error, "messages", None) or [str(error)]
                    raise BundleRejected([_("Patient: %(problem)s") % {"problem": m} for m in messages]) from None
            else:
                found.notes.append(_("The patient with this record number was already registered and is reused."))
            consult = authoring.create_draft(
                patient=patient,
                by=by,
                peer=peer,
                language="zh" if _is_han(json.dumps(summary, ensure_ascii=False)) else "en",
                summary=summary,
                request=request,
            )
            for filename, content, title in found.documents:
                try:
                    attachment = authoring.add_attachment(
                        consult=consult, by=by, upload=content, filename=filename, title=title, request=request
                    )
                except blobs.UploadRefused as refused:
                    found.notes.append(
                        _("Document %(name)s was not attached: %(reason)s") % {"name": filename, "reason": refused}
                    )
                    continue
                written.append(attachment.blob)
            record_event(
                action="consult.imported",
                actor=by,
                target=consult.reference,
                detail={
                    "bundle_sha256": bundle_sha256,
                    "patient": patient.pseudonym,
                    "attachments": len(written),
                    "notes": len(found.notes),
                },
                request=request,
            )
    except BaseException:
        for blob in written:
            blobs.remove(blob)
        raise
    consult.import_notes = found.notes  # type: ignore[attr-defined]
    return consult
