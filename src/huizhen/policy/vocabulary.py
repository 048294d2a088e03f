"""The words a policy request may use: actions, purposes, roles, data classes, de-identification standards.

This module is the one place the vocabulary lives; the request parser rejects any other
word, and the rule packs are checked against it when they load, so a typo in either
fails loudly instead of silently matching nothing. To extend the vocabulary, add a term
with its one-line meaning here (and to ``docs/engines/policy.md``), then write the rules
that use it. Places are ISO 3166-1 alpha-2 country codes (``CN``, ``US``) or ISO 3166-2
subdivision codes (``US-CA``, ``CN-BJ``); only the format is checked, since a rule can
only match codes it names. The role names map the rules file's proposals onto the
request: its ``cn_treating_physician`` is a ``referring_physician`` in CN, its
``foreign_consultant`` a ``consulting_specialist`` whose country differs from the
patient's.
"""

from __future__ import annotations

import re
from typing import Final

ACTIONS: Final[dict[str, str]] = {
    "export": "case data leaves the node that holds it (a case packet sent to a consulting center)",
    "message": "a message from the actor to the recipient about a case",
    "view": "the actor opens a case record (viewing from abroad is an export under PIPL)",
    "reidentify": "re-linking a pseudonymised case to the patient's identity",
    "erase": "deleting a record whose retention period may still run (needs `record`)",
}

PURPOSES: Final[dict[str, str]] = {
    "treatment": "second opinion for the treating physician (the program's service)",
    "research": "research use of case data",
    "education": "teaching and tumor-board libraries",
    "publication": "publishing a case",
    "qa": "quality assurance of the program's own service",
    "oversight": "privacy and program oversight (audit, complaints)",
    "ai_training": "training or evaluating software models",
    "legal_request": "a request from a court, regulator or law-enforcement body",
}

ROLES: Final[dict[str, str]] = {
    "referring_physician": "the treating physician at the referring hospital (physician of record)",
    "case_coordinator": "staff of the referring hospital who assemble and send cases",
    "consulting_specialist": "a physician of the consulting center who gives the second opinion",
    "program_director": "runs the program at either end",
    "privacy_officer": "data-protection officer at either end",
    "patient": "the patient (the data subject)",
    "family": "a relative or guardian of the patient",
}

DATA_CLASSES: Final[dict[str, str]] = {
    "clinical_summary": "history, findings, treatment so far",
    "document": "reports and letters (pathology report, discharge letter, ...)",
    "imaging": "radiology images (DICOM)",
    "pathology_image": "whole-slide or microscopy images",
    "opinion": "the consulting specialist's written opinion (会诊意见, advice to a physician)",
    "message": "free-text messages about a case",
    "genetic_raw_sequence": "raw sequencing data (FASTQ, BAM, CRAM): human genetic resource information",
    "genetic_variants": "variant files and NGS variant tables (VCF): human genetic resource information",
    "genomic": "other genome-derived data ('omic data under 28 CFR 202): treated like variant files",
    "genetic_report": "an interpretive summary of genetic testing in a clinical report (passes, flagged)",
    "biospecimen": "physical specimens: FFPE blocks, glass slides, blood, DNA",
    "diagnosis_of_record": "a diagnosis entered into the chart as the diagnosis of record",
    "prescription": "a prescription",
    "order": "a clinical order (test, treatment)",
}

# Data classes that are human genetic resource *information* under the HGR Regulations Art. 2;
# clinical, imaging and pathology data are not (2023 Implementation Rules Art. 2).
GENETIC_INFORMATION_CLASSES: Final[frozenset[str]] = frozenset({"genetic_raw_sequence", "genetic_variants", "genomic"})

DEID_STANDARDS: Final[dict[str, str]] = {
    "safe_harbor": "HIPAA Safe Harbor, 45 CFR 164.514(b)(2): the 18 identifiers removed, dates to the year",
    "expert_determination": "HIPAA Expert Determination, 45 CFR 164.514(b)(1), documented",
    "limited_data_set": "HIPAA limited data set, 45 CFR 164.514(e) (needs a data use agreement)",
    "ps3.15-basic": "DICOM PS3.15 Annex E Basic Profile with the Huizhen options (dates shifted: not Safe Harbor)",
    "pseudonymised": "identifiers replaced by codes whose key is kept (去标识化, PIPL Art. 73(3))",
    "pipl_anonymised": "cannot identify and cannot be restored (匿名化, PIPL Art. 73(4)): outside PIPL",
}

NODES: Final[dict[str, str]] = {
    "gateway": "the node at the referring hospital that holds identified data and the re-link key",
    "hub": "the node at the consulting center that sees de-identified cases only",
}

RECORD_KINDS: Final[dict[str, str]] = {
    "consult_record": "the consult file: referral, opinion, signed report (medical record)",
    "process_recording": "chat, audio and video of consult sessions",
    "network_log": "network and access logs",
    "impact_assessment": "a personal-information protection impact assessment (PIPIA) and processing records",
    "hipaa_documentation": "HIPAA policies, authorizations and other required documentation",
    "dsp_record": "records kept for 28 CFR 202 (Data Security Program) compliance",
    "transit_copy": "a copy made only to move a case between nodes",
}

# Countries of concern under 28 CFR 202.601 (China includes Hong Kong and Macau).
DSP_COUNTRIES_OF_CONCERN: Final[frozenset[str]] = frozenset({"CN", "HK", "MO", "CU", "IR", "KP", "RU", "VE"})

PLACE_PATTERN: Final[re.Pattern[str]] = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")


def is_place(code: str) -> bool:
    """Whether ``code`` looks like an ISO 3166-1 alpha-2 country or an ISO 3166-2 subdivision."""
    return bool(PLACE_PATTERN.fullmatch(code))


def nation(code: str | None) -> str | None:
    """The country part of a place code: ``US-CA`` -> ``US``; unknown stays unknown."""
    return None if code is None else code.split("-", 1)[0]
