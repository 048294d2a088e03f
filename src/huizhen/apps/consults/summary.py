"""The structured clinical summary of a consultation request: its schema, completeness and labels.

``ConsultRequest.summary`` is a JSON object validated here by :class:`ClinicalSummary`
(pydantic, shipped with django-ninja): coded diagnoses (ICD-10, and ICD-O-3 morphology
for tumours), stage, performance status (ECOG 0–5 or Karnofsky 0–100), treatment lines,
key labs with LOINC codes and units, and the free-text findings (pathology, IHC, flow
cytometry, cytogenetics, molecular, history). :func:`missing_items` is the completeness
check the form, the API, the CLI and the submission pipeline share: it lists, in the
active language, everything that still stops a request from being sent. Coded fields
render in both languages from the code tables (:func:`huizhen.translate.coded_label`),
never by machine translation. :data:`FREE_TEXT_FIELDS`, :func:`map_free_text` and
:func:`shift_dates` tell the packaging which values are scrubbed and which dates move.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from huizhen.translate import coded_label

if TYPE_CHECKING:
    from huizhen.apps.consults.models import ConsultRequest

_ICD10 = re.compile(r"^[A-Z]\d{2}(\.\d{1,4})?$")
_ICDO3 = re.compile(r"^\d{4}/\d$")
_LOINC = re.compile(r"^\d{1,7}-\d$")

#: Top-level free-text findings, scrubbed by the packaging before anything leaves the gateway.
FREE_TEXT_FIELDS: tuple[str, ...] = (
    "stage",
    "pathology",
    "ihc",
    "flow_cytometry",
    "cytogenetics",
    "molecular",
    "history",
)
#: Free-text values inside rows, by list: scrubbed too (codes, numbers and dates are not).
ROW_TEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "diagnoses": ("text",),
    "treatment_lines": ("regimen", "response", "note"),
    "labs": ("name", "value", "unit"),
}
#: Dates inside rows, moved by the patient's date shift when packaged.
ROW_DATE_FIELDS: dict[str, tuple[str, ...]] = {
    "diagnoses": ("date",),
    "treatment_lines": ("start", "end"),
    "labs": ("date",),
}


class SummaryInvalid(ValueError):
    """A summary that does not fit the schema; ``problems`` are readable, one per field."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Diagnosis(_Row):
    text: str = Field(default="", max_length=500)
    icd10: str = Field(default="", max_length=16)
    icdo3: str = Field(default="", max_length=16)
    date: dt.date | None = None

    @field_validator("icd10")
    @classmethod
    def _icd10(cls, value: str) -> str:
        value = value.upper().replace(" ", "")
        if value and len(value) > 3 and "." not in value:
            value = f"{value[:3]}.{value[3:]}"
        if value and not _ICD10.match(value):
            raise ValueError(f"{value!r} is not an ICD-10 code (e.g. C83.3)")
        return value

    @field_validator("icdo3")
    @classmethod
    def _icdo3(cls, value: str) -> str:
        value = value.upper().replace(" ", "").removeprefix("M")
        if re.fullmatch(r"\d{5}", value):
            value = f"{value[:4]}/{value[4]}"
        if value and not _ICDO3.match(value):
            raise ValueError(f"{value!r} is not an ICD-O-3 morphology code (e.g. 9680/3)")
        return value

    def empty(self) -> bool:
        return not (self.text or self.icd10 or self.icdo3)


class PerformanceStatus(_Row):
    scale: Literal["ECOG", "KPS"] = "ECOG"
    value: int

    @model_validator(mode="after")
    def _range(self) -> PerformanceStatus:
        top = 5 if self.scale == "ECOG" else 100
        if not 0 <= self.value <= top:
            raise ValueError(f"{self.scale} is between 0 and {top}")
        return self


class TreatmentLine(_Row):
    line: int = Field(default=1, ge=1, le=20)
    regimen: str = Field(default="", max_length=200)
    start: dt.date | None = None
    end: dt.date | None = None
    cycles: int | None = Field(default=None, ge=0, le=100)
    response: str = Field(default="", max_length=100)
    note: str = Field(default="", max_length=1000)

    @model_validator(mode="after")
    def _order(self) -> TreatmentLine:
        if self.start and self.end and self.end < self.start:
            raise ValueError("a treatment line cannot end before it starts")
        return self

    def empty(self) -> bool:
        return not (self.regimen or self.start or self.end or self.cycles or self.response or self.note)


class Lab(_Row):
    name: str = Field(default="", max_length=100)
    loinc: str = Field(default="", max_length=16)
    value: str = Field(default="", max_length=100)
    unit: str = Field(default="", max_length=40)
    date: dt.date | None = None

    @field_validator("loinc")
    @classmethod
    def _loinc(cls, value: str) -> str:
        if value and not _LOINC.match(value):
            raise ValueError(f"{value!r} is not a LOINC code (e.g. 2532-0)")
        return value

    @field_validator("value", mode="before")
    @classmethod
    def _value_as_text(cls, value: Any) -> Any:
        # A number from an import or the API is kept exactly as written.
        return str(value) if isinstance(value, int | float) else value

    def empty(self) -> bool:
        return not (self.name or self.loinc or self.value)


class ClinicalSummary(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    diagnoses: list[Diagnosis] = Field(default_factory=list, max_length=20)
    stage: str = Field(default="", max_length=200)
    performance_status: PerformanceStatus | None = None
    treatment_lines: list[TreatmentLine] = Field(default_factory=list, max_length=30)
    labs: list[Lab] = Field(default_factory=list, max_length=200)
    pathology: str = Field(default="", max_length=20000)
    ihc: str = Field(default="", max_length=5000)
    flow_cytometry: str = Field(default="", max_length=5000)
    cytogenetics: str = Field(default="", max_length=5000)
    molecular: str = Field(default="", max_length=5000)
    history: str = Field(default="", max_length=50000)

    @field_validator("diagnoses", "treatment_lines", "labs", mode="after")
    @classmethod
    def _drop_blank_rows(cls, rows: list[Any]) -> list[Any]:
        # Blank rows of the form's repeated fields are not data.
        return [row for row in rows if not row.empty()]

    def as_json(self) -> dict[str, Any]:
        """The stored form: ISO dates, no nulls inside rows, blank strings kept for a stable shape."""
        data = self.model_dump(mode="json")
        for key in ("diagnoses", "treatment_lines", "labs"):
            data[key] = [{k: v for k, v in row.items() if v is not None} for row in data[key]]
        if data["performance_status"] is None:
            del data["performance_status"]
        return data


def _location(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part + 1) if isinstance(part, int) else part for part in loc)


def parse_summary(data: Any) -> ClinicalSummary:
    """Validate ``data`` (a dict) as a summary; :class:`SummaryInvalid` lists every problem."""
    if data in (None, ""):
        data = {}
    if not isinstance(data, dict):
        raise SummaryInvalid([_("The clinical summary must be a JSON object.")])
    try:
        return ClinicalSummary.model_validate(data)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            message = str(item["msg"]).removeprefix("Value error, ")
            where = _location(tuple(item["loc"]))
            problems.append(f"{where}: {message}" if where else message)
        raise SummaryInvalid(problems) from None


def clean_summary(data: Any) -> dict[str, Any]:
    """``data`` validated and normalised to the stored form (raises :class:`SummaryInvalid`)."""
    return parse_summary(data).as_json()


# -- Completeness ---------------------------------------------------------------------------


def peer_country(consult: ConsultRequest) -> str | None:
    """The hub's country (ISO 3166-1 alpha-2) from its partner agreement, or None without one."""
    peer = consult.peer
    if peer is None:
        return None
    agreement = getattr(peer, "agreement", None)
    if agreement is None or not agreement.country:
        return None
    return str(agreement.country)[:2].upper()


def missing_items(consult: ConsultRequest) -> list[str]:
    """What still stops ``consult`` from being submitted, in the active language; empty when complete."""
    from huizhen.apps.nodes.models import Peer
    from huizhen.apps.registry.models import ConsentKind

    missing: list[str] = []
    if consult.patient_id is None:
        missing.append(_("The patient is not chosen."))
    if consult.referring_physician_id is None:
        missing.append(_("The referring physician is not recorded."))
    if not consult.program:
        missing.append(_("The program (second opinion or treatment-plan review) is not chosen."))
    if not consult.subspecialty:
        missing.append(_("The subspecialty is not chosen."))
    if not consult.question.strip():
        missing.append(_("The clinical question is empty."))
    try:
        summary = parse_summary(consult.summary)
    except SummaryInvalid as invalid:
        missing.extend(_("Clinical summary: %(problem)s") % {"problem": problem} for problem in invalid.problems)
        summary = None
    if summary is not None and not any(diagnosis.icd10 for diagnosis in summary.diagnoses):
        missing.append(_("At least one diagnosis with its ICD-10 code is needed."))
    if consult.peer is None:
        missing.append(_("The consulting hub is not chosen."))
    elif consult.peer.role not in ("", Peer.Role.HUB):
        missing.append(_("The chosen peer is not a consulting hub."))
    country = peer_country(consult) if consult.peer is not None else None
    if consult.peer is not None and country is None:
        missing.append(_("There is no partner agreement with the chosen hub (its country is unknown)."))
    if consult.patient is not None:
        consents = consult.patient.consents.filter(withdrawn_at=None)
        if not consents.filter(kind=ConsentKind.CONSULTATION).exists():
            missing.append(_("The patient's consent to the remote consultation is not recorded."))
        if (
            country is not None
            and not consents.filter(kind=ConsentKind.CROSS_BORDER, destination_country__iexact=country).exists()
        ):
            missing.append(
                _("The patient's consent to cross-border transfer to %(country)s is not recorded.")
                % {"country": country}
            )
    return missing


# -- Bilingual labels of coded fields -------------------------------------------------------


@dataclass(frozen=True)
class CodedLabel:
    system: str
    code: str
    en: str | None
    zh: str | None

    def __str__(self) -> str:
        names = " / ".join(name for name in (self.zh, self.en) if name)
        return f"{self.code} {names}".strip()


def label(system: str, code: str) -> CodedLabel | None:
    """``code`` of ``system`` with its English and Chinese names (None for an empty code)."""
    if not code:
        return None
    return CodedLabel(
        system=system,
        code=code,
        en=coded_label(system, code, lang="en"),
        zh=coded_label(system, code, lang="zh"),
    )


def render_summary(summary: Any) -> dict[str, Any]:
    """The summary for a template: each coded value with its labels in both languages.

    An invalid stored summary (e.g. an old import) is shown as stored, not hidden.
    """
    try:
        data = clean_summary(summary)
    except SummaryInvalid:
        data = dict(summary) if isinstance(summary, dict) else {}
    for diagnosis in data.get("diagnoses", []):
        diagnosis["icd10_label"] = label("ICD-10", diagnosis.get("icd10", ""))
        diagnosis["icdo3_label"] = label("ICD-O-3", diagnosis.get("icdo3", ""))
    for line in data.get("treatment_lines", []):
        regimen = line.get("regimen", "")
        found = label("REGIMEN", regimen)
        line["regimen_label"] = found if found is not None and (found.en or found.zh) else None
    for lab in data.get("labs", []):
        lab["loinc_label"] = label("LOINC", lab.get("loinc", ""))
    return data


# -- What the packaging changes -------------------------------------------------------------


def map_free_text(summary: dict[str, Any], change: Callable[[str], str]) -> dict[str, Any]:
    """A copy of ``summary`` with ``change`` applied to every free-text value (codes untouched)."""
    result = {key: value for key, value in summary.items()}
    for key in FREE_TEXT_FIELDS:
        if isinstance(result.get(key), str) and result[key]:
            result[key] = change(result[key])
    for key, fields in ROW_TEXT_FIELDS.items():
        rows = []
        for row in result.get(key) or []:
            row = dict(row)
            for field in fields:
                if isinstance(row.get(field), str) and row[field]:
                    row[field] = change(row[field])
            rows.append(row)
        if key in result:
            result[key] = rows
    return result


def shift_dates(summary: dict[str, Any], days: int) -> dict[str, Any]:
    """A copy of ``summary`` with every row date moved by ``days`` (the patient's date shift)."""
    result = {key: value for key, value in summary.items()}
    for key, fields in ROW_DATE_FIELDS.items():
        rows = []
        for row in result.get(key) or []:
            row = dict(row)
            for field in fields:
                value = row.get(field)
                if isinstance(value, str) and value:
                    try:
                        row[field] = (dt.date.fromisoformat(value) + dt.timedelta(days=days)).isoformat()
                    except ValueError:
                        row[field] = ""
            rows.append(row)
        if key in result:
            result[key] = rows
    return result
