"""A policy request: the facts about one proposed action, parsed strictly from JSON-like data.

The schema is issue 8 item 6 plus a few optional facts documented in
``docs/engines/policy.md``. Parsing collects every problem (unknown keys, unknown
vocabulary, malformed place codes, wrong types) and raises one :class:`RequestError`
listing them all. An absent fact is *unknown* (``None``), never a favourable default:
the rules treat unknown facts as not established, so missing facts count against the
request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from huizhen.policy import vocabulary
from huizhen.policy.vocabulary import nation


class RequestError(ValueError):
    """The request cannot be evaluated; ``problems`` lists every reason, one per entry."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Party:
    role: str | None = None
    country: str | None = None
    licensed_in: tuple[str, ...] | None = None
    institution: str | None = None


@dataclass(frozen=True)
class Subject:
    country: str | None = None
    us_person: bool | None = None
    age: int | None = None


@dataclass(frozen=True)
class DataFacts:
    classes: tuple[str, ...] | None = None
    identified: bool | None = None
    deid_standard: str | None = None


@dataclass(frozen=True)
class Consent:
    cross_border: bool | None = None
    telemedicine: bool | None = None
    sensitive_separate: bool | None = None
    third_party_separate: bool | None = None
    guardian: bool | None = None
    secondary_use: bool | None = None


@dataclass(frozen=True)
class LegalBasis:
    standard_contract: bool | None = None
    certification: bool | None = None
    impact_assessment: bool | None = None
    security_assessment: bool | None = None
    hgr_filing: bool | None = None
    hipaa_authorization: bool | None = None
    dsp_security_program: bool | None = None


@dataclass(frozen=True)
class Volume:
    individuals_exported_this_year: int | None = None
    us_persons_12m: int | None = None


@dataclass(frozen=True)
class Exporter:
    ciio: bool | None = None


@dataclass(frozen=True)
class Record:
    kind: str | None = None
    age_years: float | None = None
    inpatient: bool | None = None


@dataclass(frozen=True)
class PolicyRequest:
    """One proposed action. Every field but ``action`` and ``actor.role`` may be unknown."""

    action: str
    actor: Party
    purpose: str | None = None
    recipient: Party = Party()
    subject: Subject = Subject()
    data: DataFacts = DataFacts()
    consent: Consent = Consent()
    legal_basis: LegalBasis = LegalBasis()
    volume: Volume = Volume()
    exporter: Exporter = Exporter()
    record: Record = Record()
    destination_country: str | None = None
    node: str | None = None
    program: str | None = None
    case_ref: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The request as JSON-ready data (tuples become lists), e.g. for the audit log."""
        result: dict[str, Any] = _listify(asdict(self))
        return result

    def facts(self, *, agreement_active: bool | None = None) -> dict[str, Any]:
        """The request as nested facts for the condition language, with ``derived.*`` added.

        ``agreement_active`` comes from the evaluator (whether a loaded program pack covers
        this request); see :func:`derived_facts` for the rest.
        """
        facts = self.to_dict()
        facts["derived"] = derived_facts(self, agreement_active=agreement_active)
        return facts


def derived_facts(request: PolicyRequest, *, agreement_active: bool | None) -> dict[str, Any]:
    """Facts computed from the request so that rules need not repeat the arithmetic.

    ``destination_nation`` is where the data ends up: the destination of an export (or the
    recipient's country when no destination is given), the viewer's country for a view
    (PIPL treats viewing from abroad as export), the recipient's for a message, the
    actor's otherwise. ``cross_border`` compares it with the patient's country. Any
    unknown input makes the derived fact unknown.
    """
    subject_nation = nation(request.subject.country)
    actor_nation = nation(request.actor.country)
    recipient_nation = nation(request.recipient.country)
    if request.action == "export":
        destination = nation(request.destination_country) or recipient_nation
    elif request.action == "message":
        destination = recipient_nation
    else:
        destination = actor_nation
    licences = request.actor.licensed_in
    licensed_for_subject: bool | None = None
    if licences is not None and request.subject.country is not None:
        licensed_for_subject = request.subject.country in licences or subject_nation in licences
    return {
        "subject_nation": subject_nation,
        "actor_nation": actor_nation,
        "recipient_nation": recipient_nation,
        "destination_nation": destination,
        "cross_border": _differs(destination, subject_nation),
        "actor_foreign": _differs(actor_nation, subject_nation),
        "recipient_foreign": _differs(recipient_nation, subject_nation),
        "actor_licensed_for_subject": licensed_for_subject,
        "agreement_active": agreement_active,
    }


def _differs(a: str | None, b: str | None) -> bool | None:
    return None if a is None or b is None else a != b


def _listify(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _listify(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_listify(item) for item in value]
    return value


def fact_paths() -> frozenset[str]:
    """Every dotted path a rule may name: request fields, their sections and ``derived.*``."""
    paths = {field.name for field in fields(PolicyRequest)}
    for section, cls in _SECTIONS.items():
        paths.update(f"{section}.{field.name}" for field in fields(cls))
    dummy = derived_facts(PolicyRequest(action="view", actor=Party(role="patient")), agreement_active=None)
    paths.update({"derived", *(f"derived.{name}" for name in dummy)})
    return frozenset(paths)


# --- parsing -------------------------------------------------------------------------------------

_SECTIONS: dict[str, type[Any]] = {
    "actor": Party,
    "recipient": Party,
    "subject": Subject,
    "data": DataFacts,
    "consent": Consent,
    "legal_basis": LegalBasis,
    "volume": Volume,
    "exporter": Exporter,
    "record": Record,
}
_TOP_LEVEL = {"action", "purpose", "destination_country", "node", "program", "case_ref", *_SECTIONS}


class _Parser:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def section(self, data: Mapping[str, Any], name: str) -> Mapping[str, Any]:
        value = data.get(name)
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            self.fail(name, "must be an object")
            return {}
        known = {field.name for field in fields(_SECTIONS[name])}
        for key in sorted(set(value) - known):
            self.fail(f"{name}.{key}", f"unknown field (known: {', '.join(sorted(known))})")
        return value

    def boolean(self, data: Mapping[str, Any], path: str, key: str) -> bool | None:
        value = data.get(key)
        if value is None or isinstance(value, bool):
            return value
        self.fail(path, f"must be true or false, not {value!r}")
        return None

    def count(self, data: Mapping[str, Any], path: str, key: str) -> int | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.fail(path, f"must be a whole number ≥ 0, not {value!r}")
            return None
        return value

    def number(self, data: Mapping[str, Any], path: str, key: str) -> float | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            self.fail(path, f"must be a number ≥ 0, not {value!r}")
            return None
        return float(value)

    def text(self, data: Mapping[str, Any], path: str, key: str) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(path, f"must be a non-empty string, not {value!r}")
            return None
        return value

    def term(self, data: Mapping[str, Any], path: str, key: str, terms: Mapping[str, str]) -> str | None:
        value = self.text(data, path, key)
        if value is not None and value not in terms:
            self.fail(path, f"unknown value {value!r} (known: {', '.join(terms)})")
            return None
        return value

    def terms(self, data: Mapping[str, Any], path: str, key: str, terms: Mapping[str, str]) -> tuple[str, ...] | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            self.fail(path, f"must be a list of strings, not {value!r}")
            return None
        unknown = [item for item in value if item not in terms]
        if unknown:
            self.fail(path, f"unknown value(s) {', '.join(map(repr, unknown))} (known: {', '.join(terms)})")
            return None
        return tuple(value)

    def place(self, data: Mapping[str, Any], path: str, key: str) -> str | None:
        value = self.text(data, path, key)
        if value is not None and not vocabulary.is_place(value):
            self.fail(path, f"{value!r} is not an ISO 3166 code such as 'CN', 'US' or 'US-CA'")
            return None
        return value

    def places(self, data: Mapping[str, Any], path: str, key: str) -> tuple[str, ...] | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            self.fail(path, f"must be a list of ISO 3166 codes, not {value!r}")
            return None
        bad = [item for item in value if not vocabulary.is_place(item)]
        if bad:
            self.fail(path, f"{', '.join(map(repr, bad))} not ISO 3166 codes such as 'CN', 'US' or 'US-CA'")
            return None
        return tuple(value)

    def party(self, data: Mapping[str, Any], name: str) -> Party:
        section = self.section(data, name)
        return Party(
            role=self.term(section, f"{name}.role", "role", vocabulary.ROLES),
            country=self.place(section, f"{name}.country", "country"),
            licensed_in=self.places(section, f"{name}.licensed_in", "licensed_in"),
            institution=self.text(section, f"{name}.institution", "institution"),
        )

    def flags(self, data: Mapping[str, Any], name: str) -> dict[str, bool | None]:
        section = self.section(data, name)
        return {
            field.name: self.boolean(section, f"{name}.{field.name}", field.name) for field in fields(_SECTIONS[name])
        }


def parse_request(data: Mapping[str, Any]) -> PolicyRequest:
    """Parse a request (e.g. decoded JSON); raise :class:`RequestError` listing every problem."""
    if not isinstance(data, Mapping):
        raise RequestError([f"request: must be a JSON object, not {type(data).__name__}"])
    p = _Parser()
    for key in sorted(set(data) - _TOP_LEVEL):
        p.fail(key, f"unknown field (known: {', '.join(sorted(_TOP_LEVEL))})")
    action = p.term(data, "action", "action", vocabulary.ACTIONS)
    if data.get("action") is None:
        p.fail("action", f"required (one of: {', '.join(vocabulary.ACTIONS)})")
    actor = p.party(data, "actor")
    if actor.role is None and not any(problem.startswith("actor.role") for problem in p.problems):
        p.fail("actor.role", f"required (one of: {', '.join(vocabulary.ROLES)})")
    subject_section = p.section(data, "subject")
    data_section = p.section(data, "data")
    volume_section = p.section(data, "volume")
    record_section = p.section(data, "record")
    request = PolicyRequest(
        action=action or "",
        actor=actor,
        purpose=p.term(data, "purpose", "purpose", vocabulary.PURPOSES),
        recipient=p.party(data, "recipient"),
        subject=Subject(
            country=p.place(subject_section, "subject.country", "country"),
            us_person=p.boolean(subject_section, "subject.us_person", "us_person"),
            age=p.count(subject_section, "subject.age", "age"),
        ),
        data=DataFacts(
            classes=p.terms(data_section, "data.classes", "classes", vocabulary.DATA_CLASSES),
            identified=p.boolean(data_section, "data.identified", "identified"),
            deid_standard=p.term(data_section, "data.deid_standard", "deid_standard", vocabulary.DEID_STANDARDS),
        ),
        consent=Consent(**p.flags(data, "consent")),
        legal_basis=LegalBasis(**p.flags(data, "legal_basis")),
        volume=Volume(
            individuals_exported_this_year=p.count(
                volume_section, "volume.individuals_exported_this_year", "individuals_exported_this_year"
            ),
            us_persons_12m=p.count(volume_section, "volume.us_persons_12m", "us_persons_12m"),
        ),
        exporter=Exporter(**p.flags(data, "exporter")),
        record=Record(
            kind=p.term(record_section, "record.kind", "kind", vocabulary.RECORD_KINDS),
            age_years=p.number(record_section, "record.age_years", "age_years"),
            inpatient=p.boolean(record_section, "record.inpatient", "inpatient"),
        ),
        destination_country=p.place(data, "destination_country", "destination_country"),
        node=p.term(data, "node", "node", vocabulary.NODES),
        program=p.text(data, "program", "program"),
        case_ref=p.text(data, "case_ref", "case_ref"),
    )
    if p.problems:
        raise RequestError(p.problems)
    return request
