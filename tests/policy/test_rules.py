"""Every shipped rule, case by case: each row changes one fact of a lawful request and names the rule it trips.

A row passes only if its rule is among the rules that fired, so deleting a rule from a pack
fails its rows; :func:`test_every_shipped_rule_has_a_case` makes sure no rule goes untested.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from huizhen.policy import evaluate, load_packs, parse_request
from tests.policy.factories import DROP, changed, cn_export, erase, gateway_view, hub_view, us_reply

OK = "allow"
OBLIGED = "allow_with_obligations"
DENY = "deny"


@dataclass(frozen=True)
class Case:
    rule: str
    name: str
    request: dict[str, Any]
    decision: str
    obligation: str | None = None  # an obligation id the rule must add
    warning: bool = False  # the rule travels as a warning


CASES = [
    # China: telemedicine
    Case("CN-TM-01", "a patient cannot export their own case", changed(cn_export(), actor={"role": "patient"}), DENY),
    Case("CN-TM-02", "an unknown program has no cooperation agreement", changed(cn_export(), program="other"), DENY),
    Case("CN-TM-03", "no telemedicine consent", changed(cn_export(), consent={"telemedicine": False}), DENY),
    Case("CN-TM-03", "telemedicine consent unknown", changed(cn_export(), consent={"telemedicine": DROP}), DENY),
    Case(
        "CN-TM-04",
        "the foreign consultant messages the patient",
        changed(us_reply(), recipient={"role": "patient", "country": "CN"}),
        DENY,
    ),
    Case(
        "CN-TM-04",
        "a consultant of unknown location messages the family",
        changed(us_reply(), actor={"country": DROP}, recipient={"role": "family", "country": "CN"}),
        DENY,
    ),
    Case(
        "CN-TM-05", "the consultant sends a prescription", changed(us_reply(), data={"classes": ["prescription"]}), DENY
    ),
    Case(
        "CN-TM-05",
        "the consultant sends a diagnosis of record",
        changed(us_reply(), data={"classes": ["opinion", "diagnosis_of_record"]}),
        DENY,
    ),
    Case(
        "CN-TM-06",
        "a consultant in China without Chinese registration",
        changed(us_reply(), actor={"country": "CN", "licensed_in": ["US-MA"]}),
        DENY,
    ),
    # China: PIPL
    Case(
        "CN-PI-01a", "sensitive-PI consent refused", changed(cn_export(), consent={"sensitive_separate": False}), DENY
    ),
    Case(
        "CN-PI-01b",
        "sensitive-PI consent unknown",
        changed(cn_export(), consent={"sensitive_separate": DROP}),
        OBLIGED,
        obligation="confirm_sensitive_pi_consent",
    ),
    Case("CN-PI-01c", "a child of 12 without guardian consent", changed(cn_export(), subject={"age": 12}), DENY),
    Case(
        "CN-PI-01d",
        "age unknown",
        changed(cn_export(), subject={"age": DROP}),
        OBLIGED,
        obligation="confirm_age_or_guardian_consent",
    ),
    Case(
        "CN-PI-02a", "third-party consent refused", changed(cn_export(), consent={"third_party_separate": False}), DENY
    ),
    Case(
        "CN-PI-02b",
        "third-party consent unknown",
        changed(cn_export(), consent={"third_party_separate": DROP}),
        OBLIGED,
        obligation="confirm_third_party_consent",
    ),
    Case("CN-PI-03", "no impact assessment", changed(cn_export(), legal_basis={"impact_assessment": False}), DENY),
    Case("CN-PI-03", "impact assessment unknown", changed(cn_export(), legal_basis={"impact_assessment": DROP}), DENY),
    Case("CN-PI-04", "de-identified data is still personal information", cn_export(), OBLIGED, warning=True),
    # China: export
    Case("CN-XB-01a", "no transfer mechanism", changed(cn_export(), legal_basis={"standard_contract": False}), DENY),
    Case(
        "CN-XB-01a",
        "a remote view from abroad without a mechanism",
        changed(hub_view(), legal_basis={"standard_contract": DROP}),
        DENY,
    ),
    Case(
        "CN-XB-01a",
        "an unknown destination counts as abroad",
        changed(cn_export(), destination_country=DROP, recipient=DROP, legal_basis={"standard_contract": False}),
        DENY,
    ),
    Case("CN-XB-01b", "no cross-border consent", changed(cn_export(), consent={"cross_border": False}), DENY),
    Case("CN-XB-01b", "cross-border consent unknown", changed(cn_export(), consent={"cross_border": DROP}), DENY),
    Case("CN-XB-02a", "every export is counted", cn_export(), OBLIGED, obligation="record_in_export_register"),
    Case(
        "CN-XB-02b",
        "the 10,000th individual needs a security assessment",
        changed(cn_export(), volume={"individuals_exported_this_year": 9999}),
        DENY,
    ),
    Case("CN-XB-02c", "export volume unknown", changed(cn_export(), volume=DROP), DENY),
    Case(
        "CN-XB-02d",
        "80 % of the threshold warns",
        changed(cn_export(), volume={"individuals_exported_this_year": 8000}),
        OBLIGED,
        warning=True,
    ),
    Case("CN-XB-02e", "a CIIO without a security assessment", changed(cn_export(), exporter={"ciio": True}), DENY),
    Case(
        "CN-XB-02f",
        "CIIO status unknown",
        changed(cn_export(), exporter=DROP),
        OBLIGED,
        obligation="confirm_exporter_not_ciio",
    ),
    Case(
        "CN-XB-04a", "a research export without a security assessment", changed(cn_export(), purpose="research"), DENY
    ),
    Case(
        "CN-XB-04b",
        "a research export is held for classification",
        changed(cn_export(), purpose="ai_training", legal_basis={"security_assessment": True}),
        DENY,  # the default program still refuses AI training (PROG-SO-12)
    ),
    Case("CN-XB-06", "a foreign legal request", changed(cn_export(), purpose="legal_request"), DENY),
    Case(
        "CN-XB-07",
        "the consulting side sends a case to the patient",
        changed(us_reply(), action="export", recipient={"role": "patient", "country": "CN"}),
        DENY,
    ),
    # China: human genetic resources
    Case(
        "CN-HGR-01a",
        "raw sequencing data",
        changed(cn_export(), data={"classes": ["clinical_summary", "genetic_raw_sequence"]}),
        DENY,
    ),
    Case(
        "CN-HGR-01a",
        "raw sequencing data even with a filing",
        changed(cn_export(), data={"classes": ["genetic_raw_sequence"]}, legal_basis={"hgr_filing": True}),
        DENY,
    ),
    Case(
        "CN-HGR-01b",
        "variant files without a filing",
        changed(cn_export(), data={"classes": ["genetic_variants"]}),
        DENY,
    ),
    Case("CN-HGR-01b", "genomic data without a filing", changed(cn_export(), data={"classes": ["genomic"]}), DENY),
    Case(
        "CN-HGR-01c",
        "filed variant files are held for review",
        changed(cn_export(), data={"classes": ["genetic_variants"]}, legal_basis={"hgr_filing": True}),
        OBLIGED,
        obligation="hold_genetic_data_for_review",
    ),
    Case(
        "CN-HGR-01d",
        "an interpretive genetic summary passes flagged",
        changed(cn_export(), data={"classes": ["document", "genetic_report"]}),
        OBLIGED,
        warning=True,
    ),
    Case("CN-HGR-03", "physical specimens", changed(cn_export(), data={"classes": ["biospecimen"]}), DENY),
    # Cross-cutting
    Case(
        "GEN-01",
        "identified data needs a recorded reason",
        changed(cn_export(), data={"identified": True, "deid_standard": None}),
        OBLIGED,
        obligation="record_reason_for_identified_data",
    ),
    Case("GEN-02", "research at the hub without fresh consent", changed(hub_view(), purpose="research"), DENY),
    Case("REC-01a", "a 20-year-old consult record, inpatient unknown", erase("consult_record", 20), DENY),
    Case("REC-01a", "a 10-year-old outpatient consult record", erase("consult_record", 10, inpatient=False), DENY),
    Case(
        "REC-01a",
        "a consult record of unknown age",
        changed(erase("consult_record", 1), record={"age_years": DROP}),
        DENY,
    ),
    Case("REC-01b", "a 2-year-old session recording", erase("process_recording", 2), DENY),
    Case("REC-01c", "a 3-month-old network log", erase("network_log", 0.25), DENY),
    Case("REC-01d", "5-year-old HIPAA documentation", erase("hipaa_documentation", 5), DENY),
    Case("REC-01e", "a 9-year-old DSP record", erase("dsp_record", 9), DENY),
    # United States: HIPAA
    Case("US-HIPAA-02", "the opinion goes back to the treating physician", us_reply(), OK),
    Case(
        "US-HIPAA-03",
        "research on PHI at the US center",
        changed(hub_view(), purpose="research", subject={"country": "US-NY"}, data={"deid_standard": "ps3.15-basic"}),
        DENY,
    ),
    Case(
        "US-HIPAA-03b",
        "a limited data set needs a data use agreement",
        changed(
            hub_view(), subject={"country": "US-NY", "us_person": True}, data={"deid_standard": "limited_data_set"}
        ),
        OBLIGED,
        obligation="data_use_agreement",
    ),
    Case(
        "US-HIPAA-05",
        "de-identified without a named standard",
        changed(cn_export(), data={"deid_standard": DROP}),
        OBLIGED,
        obligation="deidentify_safe_harbor",
    ),
    Case(
        "US-HIPAA-06",
        "a date-shifted packet is not Safe Harbor",
        changed(cn_export(), data={"deid_standard": "ps3.15-basic"}),
        OBLIGED,
        warning=True,
    ),
    Case("US-HIPAA-07", "re-identification at the hub", changed(gateway_view(), action="reidentify", node="hub"), DENY),
    Case(
        "US-HIPAA-07",
        "re-identification by the consultant",
        changed(gateway_view(), action="reidentify", actor={"role": "consulting_specialist", "country": "US"}),
        DENY,
    ),
    Case(
        "US-HIPAA-07",
        "re-identification on an unknown node",
        changed(gateway_view(), action="reidentify", node=DROP),
        DENY,
    ),
    # United States: DOJ Data Security Program
    Case("US-DSP-01", "US-person status unknown", changed(us_reply(), subject={"us_person": DROP}), DENY),
    Case(
        "US-DSP-01",
        "US-person status unknown and the sender's country unstated",
        changed(us_reply(), subject={"us_person": DROP}, actor={"country": DROP}),
        DENY,
    ),
    Case(
        "US-DSP-05",
        "a US person's data to China is counted",
        changed(us_reply(), subject={"us_person": True}, volume={"us_persons_12m": 3}),
        OBLIGED,
        obligation="record_in_dsp_register",
    ),
    Case("US-DSP-02a", "US-person count unknown", changed(us_reply(), subject={"us_person": True}), DENY),
    Case(
        "US-DSP-02b",
        "half the health-data threshold warns",
        changed(us_reply(), subject={"us_person": True}, volume={"us_persons_12m": 6000}),
        OBLIGED,
        warning=True,
    ),
    Case(
        "US-DSP-02b",
        "half the genomic threshold warns",
        changed(us_reply(), subject={"us_person": True}, volume={"us_persons_12m": 60}, data={"classes": ["genomic"]}),
        OBLIGED,
        warning=True,
    ),
    Case(
        "US-DSP-03a",
        "genomic data on more than 100 US persons",
        changed(
            us_reply(),
            subject={"us_person": True},
            volume={"us_persons_12m": 101},
            data={"classes": ["genetic_variants"]},
        ),
        DENY,
    ),
    Case(
        "US-DSP-03b",
        "a biospecimen not for treatment",
        changed(
            us_reply(),
            purpose="research",
            subject={"us_person": True},
            volume={"us_persons_12m": 1},
            data={"classes": ["biospecimen"]},
        ),
        DENY,
    ),
    Case(
        "US-DSP-04",
        "health data on more than 10,000 US persons",
        changed(us_reply(), subject={"us_person": True}, volume={"us_persons_12m": 10001}),
        DENY,
    ),
    # United States: licensure and Texas
    Case(
        "US-LIC-01a",
        "an unlicensed consultant messages a US patient",
        changed(
            us_reply(),
            actor={"country": "CN", "licensed_in": ["CN"]},
            recipient={"role": "patient", "country": "US-CA"},
            subject={"country": "US-CA", "us_person": True},
        ),
        DENY,
    ),
    Case(
        "US-LIC-01b",
        "an unlicensed consultant advises a US physician",
        changed(
            us_reply(),
            actor={"country": "CN", "licensed_in": ["CN"]},
            recipient={"role": "referring_physician", "country": "US-CA"},
            subject={"country": "US-CA", "us_person": True},
        ),
        OK,
        warning=True,
    ),
    Case(
        "US-LIC-02a",
        "a Texas patient's record leaves the US",
        changed(
            cn_export(),
            actor={"role": "referring_physician", "country": "US-TX", "licensed_in": ["US-TX"]},
            subject={"country": "US-TX", "us_person": True},
            destination_country="CN",
            recipient={"role": "consulting_specialist", "country": "CN"},
        ),
        DENY,
    ),
    Case(
        "US-LIC-02b",
        "a Texas record viewed from abroad",
        changed(
            hub_view(),
            actor={"country": "CN", "licensed_in": ["CN"]},
            subject={"country": "US-TX", "us_person": True},
            volume={"us_persons_12m": 1},
        ),
        OBLIGED,
        obligation="view_without_download",
    ),
    # Program agreement
    Case("PROG-SO-01", "data classes unknown", changed(cn_export(), data={"classes": DROP}), DENY),
    Case("PROG-SO-01", "patient's country unknown", changed(cn_export(), subject={"country": DROP}), DENY),
    Case(
        "PROG-SO-02",
        "identified data from Japan without cross-border consent",
        changed(
            cn_export(),
            subject={"country": "JP"},
            data={"identified": True, "deid_standard": None},
            consent={"cross_border": False},
        ),
        DENY,
    ),
    Case("PROG-SO-03", "the treating team sends a case", cn_export(), OBLIGED),
    Case(
        "PROG-SO-04",
        "the consultant messages the program director",
        changed(us_reply(), recipient={"role": "program_director", "country": "CN"}),
        DENY,
    ),
    Case(
        "PROG-SO-05",
        "the referring physician writes to the consultant",
        changed(cn_export(), action="message", data={"classes": ["message"]}),
        OBLIGED,
    ),
    Case("PROG-SO-06", "the treating team views its patient", gateway_view(), OK),
    Case("PROG-SO-07", "the consultant views the de-identified case", hub_view(), OBLIGED),
    Case(
        "PROG-SO-07b",
        "the hub's coordinator views the de-identified case to triage it",
        changed(hub_view(), actor={"role": "case_coordinator"}, node="hub"),
        OBLIGED,
    ),
    Case(
        "PROG-SO-08",
        "the consultant asks for the identified record",
        changed(hub_view(), data={"identified": True}),
        DENY,
    ),
    Case(
        "PROG-SO-09",
        "the privacy officer reviews a case",
        changed(gateway_view(), actor={"role": "privacy_officer"}, purpose="oversight", data={"identified": False}),
        OK,
    ),
    Case(
        "PROG-SO-09b",
        "an identified oversight view is minimised",
        changed(gateway_view(), actor={"role": "privacy_officer"}, purpose="oversight"),
        OBLIGED,
        obligation="minimum_necessary",
    ),
    Case(
        "PROG-SO-10", "the treating team re-identifies at the gateway", changed(gateway_view(), action="reidentify"), OK
    ),
    Case("PROG-SO-11", "a 31-year-old consult record may go", erase("consult_record", 31), OK),
    Case("PROG-SO-11", "a 16-year-old outpatient record may go", erase("consult_record", 16, inpatient=False), OK),
    Case(
        "PROG-SO-11b",
        "a transit copy may go at once",
        changed(erase("transit_copy", 0), actor={"role": "case_coordinator"}),
        OK,
    ),
    Case("PROG-SO-12", "export for teaching is outside the program", changed(cn_export(), purpose="education"), DENY),
    Case(
        "PROG-SO-13",
        "a case from Japan is counted too",
        changed(cn_export(), subject={"country": "JP"}, actor={"country": "JP", "licensed_in": ["JP"]}),
        OBLIGED,
        obligation="record_in_export_register",
    ),
    Case(
        "DEFAULT-DENY",
        "a patient browsing the record is not a program action",
        changed(gateway_view(), actor={"role": "patient"}),
        DENY,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[f"{case.rule}: {case.name}" for case in CASES])
def test_rule_fires_with_its_decision(case: Case) -> None:
    decision = evaluate(parse_request(case.request))

    assert case.rule in decision.rules, decision.to_dict()
    assert decision.decision == case.decision, decision.to_dict()
    if case.obligation is not None:
        assert (case.obligation, case.rule) in {(o.id, o.rule) for o in decision.obligations}
    if case.warning:
        assert case.rule in {warning.rule for warning in decision.warnings}
    if case.decision == DENY and case.rule != "DEFAULT-DENY" and not case.warning:
        rule_effects = {rule.id: rule.effect for pack in load_packs() for rule in pack.rules}
        if rule_effects[case.rule] == "deny":
            assert case.rule in {reason.rule for reason in decision.reasons}


def test_every_shipped_rule_has_a_case() -> None:
    shipped = {rule.id for pack in load_packs() for rule in pack.rules}

    assert shipped - {case.rule for case in CASES} == set()


def test_cases_name_only_shipped_rules() -> None:
    shipped = {rule.id for pack in load_packs() for rule in pack.rules} | {"DEFAULT-DENY"}

    assert {case.rule for case in CASES} - shipped == set()


@pytest.mark.parametrize(
    ("name", "request_data", "outcome"),
    [
        ("lawful export", cn_export(), OBLIGED),
        (
            "certification instead of a contract",
            changed(cn_export(), legal_basis={"standard_contract": False, "certification": True}),
            OBLIGED,
        ),
        (
            "security assessment at 10,000",
            changed(
                cn_export(), volume={"individuals_exported_this_year": 12000}, legal_basis={"security_assessment": True}
            ),
            OBLIGED,
        ),
        (
            "a child with guardian consent",
            changed(cn_export(), subject={"age": 9}, consent={"guardian": True}),
            OBLIGED,
        ),
        (
            "PIPL-anonymised data is outside PIPL",
            changed(
                cn_export(),
                data={"deid_standard": "pipl_anonymised"},
                legal_basis={"standard_contract": False},
                consent={"cross_border": False},
            ),
            OBLIGED,
        ),
        (
            "imaging and pathology are not genetic resources",
            changed(cn_export(), data={"classes": ["imaging", "pathology_image", "document"]}),
            OBLIGED,
        ),
    ],
)
def test_lawful_variants_are_not_denied(name: str, request_data: dict[str, Any], outcome: str) -> None:
    decision = evaluate(parse_request(request_data))

    assert decision.decision == outcome, (name, decision.to_dict())


def test_a_lawful_export_carries_only_the_register_obligation() -> None:
    decision = evaluate(parse_request(cn_export()))

    assert [obligation.id for obligation in decision.obligations] == ["record_in_export_register"]


def test_a_request_under_a_program_without_a_pack_is_denied_with_its_own_reason() -> None:
    decision = evaluate(parse_request(changed(cn_export(), program="other")))
    assert decision.decision == DENY
    assert "UNKNOWN-PROGRAM" in decision.rules
