"""The demo's consultation data: three synthetic cases at the gateway, specialists at the hub.

``huizhen seed_demo_cases`` (run by ``make demo`` after the two nodes are peered) calls
:func:`seed_demo_cases`. On a gateway it imports the three FHIR R4 Bundles of
:mod:`huizhen.apps.consults.demo_data` through the same import as ``huizhen case import``
(:func:`huizhen.apps.registry.fhir.import_bundle`), records each patient's consent to the
remote consultation and the separate consent to cross-border transfer to the hub's
country, attaches a 12-slice PET-CT series to the lymphoma case, written here with a fixed
seed so no binary is committed, and leaves the cases as drafts of the demo referring
physician, ready to submit. On a hub it gives the demo specialist a profile
(subspecialties, languages) so assignment has someone to suggest. On both it records the
partner agreement with the peer (the legal basis the policy engine reads). Everything is
keyed on natural identifiers (record number, peer), so running it again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pydicom
from django.conf import settings
from django.db import transaction

from huizhen.apps.accounts.models import User
from huizhen.apps.audit.services import record_event
from huizhen.apps.consults import demo_data
from huizhen.apps.consults.models import ConsultRequest, PartnerAgreement, Program, Subspecialty, Urgency
from huizhen.apps.nodes.models import Peer
from huizhen.apps.registry.models import ConsentKind, Patient

DATA_DIR = Path(demo_data.__file__).parent
DICOM_SEED = 4401
DICOM_SLICES = 12
REFERRING_PHYSICIAN = "dr.li"
SPECIALIST = "dr.miller"


@dataclass(frozen=True)
class DemoCase:
    bundle: str
    mrn: str
    subspecialty: str
    program: str
    urgency: str
    question: str
    with_pet_ct: bool = False


DEMO_CASES: tuple[DemoCase, ...] = (
    DemoCase(
        bundle="dlbcl.json",
        mrn="ZY2026004817",
        subspecialty=Subspecialty.LYMPHOMA,
        program=Program.SECOND_OPINION,
        urgency=Urgency.ROUTINE,
        question=(
            "患者R-CHOP 6个疗程后PET-CT示部分缓解（Deauville 4分）。请问：1）按免疫组化（CD10-、BCL6+、MUM1+）"
            "判定为非生发中心型（non-GCB）是否准确？MYC/BCL2双表达、MYD88 L265P/CD79B突变对分型和预后有何提示？"
            "2）左颈部残留病灶是否需要再次活检？下一步推荐受累部位放疗、二线挽救化疗序贯自体移植，还是CAR-T细胞治疗？"
        ),
        with_pet_ct=True,
    ),
    DemoCase(
        bundle="aml_flt3_itd.json",
        mrn="ZY2026007352",
        subspecialty=Subspecialty.LEUKEMIA,
        program=Program.TREATMENT_PLAN,
        urgency=Urgency.URGENT,
        question=(
            "AML伴NPM1突变及FLT3-ITD（AR 0.62），7+3联合米哚妥林诱导后CR，第1次巩固后NPM1 MRD仍为0.82%。请问："
            "1）是否推荐在CR1行异基因造血干细胞移植（胞弟HLA全相合）？2）移植前是否应更换方案（如吉瑞替尼或维奈克拉联合方案）"
            "以争取MRD转阴？3）移植后是否推荐FLT3抑制剂维持？"
        ),
    ),
    DemoCase(
        bundle="multiple_myeloma.json",
        mrn="ZY2024011596",
        subspecialty=Subspecialty.MYELOMA,
        program=Program.TREATMENT_PLAN,
        urgency=Urgency.ROUTINE,
        question=(
            "多发性骨髓瘤（IgG-κ，R-ISS II期，t(4;14)、1q21扩增）VRd 8个疗程后来那度胺维持中首次复发（来那度胺耐药）。"
            "请问二线首选达雷妥尤单抗为基础的方案（DPd、DKd或DVd）中的哪一种？是否推荐挽救性自体移植，"
            "或直接考虑BCMA靶向CAR-T/双特异性抗体？"
        ),
    ),
)

# The legal basis each side records for the other (policy engine, docs/engines/policy.md):
# the gateway has filed the CAC standard contract and done its impact assessment; the hub
# holds a HIPAA authorization and runs a DOJ data-security program.
AGREEMENT_WITH_HUB: dict[str, Any] = {
    "country": "US",
    "standard_contract": True,
    "impact_assessment": True,
    "security_assessment": False,
    "hipaa_authorization": True,
    "dsp_security_program": True,
}
AGREEMENT_WITH_GATEWAY: dict[str, Any] = AGREEMENT_WITH_HUB | {"country": "CN"}

SPECIALIST_PROFILE: dict[str, Any] = {
    "subspecialties": [Subspecialty.LYMPHOMA, Subspecialty.LEUKEMIA, Subspecialty.MYELOMA, Subspecialty.TRANSPLANT],
    "languages": ["en", "zh"],
}


@dataclass(frozen=True)
class SeedReport:
    created: list[str]
    existing: list[str]
    notes: list[str]


class DemoSeedError(Exception):
    """The demo cannot be seeded on this node as it stands (no peer, no demo users)."""


def _single_peer(name: str | None) -> Peer:
    peers = Peer.objects.all()
    if name:
        peer = peers.filter(name=name).first()
        if peer is None:
            raise DemoSeedError(f"no peer named {name!r}; see `huizhen peer list`")
        return peer
    candidates = list(peers)
    if len(candidates) != 1:
        raise DemoSeedError(f"name the peer with --peer (this node has {len(candidates)} peers)")
    return candidates[0]


def record_partner_agreement(*, peer: Peer, terms: dict[str, Any]) -> PartnerAgreement:
    """The agreement with ``peer`` as ``terms`` say, created once; an existing one is left as it is."""
    agreement, created = PartnerAgreement.objects.get_or_create(peer=peer, defaults=terms)
    if created:
        record_event(action="consults.agreement_recorded", peer=peer.name, target=peer.fingerprint, detail=dict(terms))
    return agreement


def load_bundle(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA_DIR / name).read_text(encoding="utf-8"))
    return data


def latin_name(bundle: dict[str, Any]) -> tuple[str, str]:
    """(family, given) of the bundle's patient in Latin letters (its ``usual`` name), upper case."""
    for entry in bundle["entry"]:
        resource = entry["resource"]
        if resource["resourceType"] == "Patient":
            for name in resource.get("name", []):
                if name.get("family", "").isascii():
                    return name["family"].upper(), " ".join(name.get("given", [])).upper()
    return "", ""


def write_pet_ct_series(out_dir: Path, *, patient: Patient, name_latin: tuple[str, str]) -> list[Path]:
    """A small PET-CT (CT part) series of ``patient``: real headers naming them, as a hospital exports it.

    The series is :func:`huizhen.deid.dicom.synthetic.generate_ct_series` (fixed seed),
    re-labelled with the patient's name (Latin and Han, PS3.5 6.2.1), record number,
    birth date and sex, the referring physician and the hospital, and files named after
    the patient, so DICOM de-identification has identifiers to remove everywhere.
    """
    from huizhen.deid.dicom.synthetic import generate_ct_series

    raw = out_dir / "raw"
    paths = generate_ct_series(raw, slices=DICOM_SLICES, rows=256, cols=256, seed=DICOM_SEED)
    family_latin, given_latin = name_latin
    birth = patient.birth_date
    study_day = dt.date(2026, 7, 20)
    age = patient.age_on(study_day)
    written: list[Path] = []
    for number, path in enumerate(paths, start=1):
        ds = pydicom.dcmread(path)
        ds.PatientName = f"{family_latin}^{given_latin}={patient.family_name}^{patient.given_name}"
        ds.PatientID = patient.mrn
        ds.OtherPatientIDs = patient.national_id
        ds.PatientBirthDate = birth.strftime("%Y%m%d")
        ds.PatientSex = {"male": "M", "female": "F"}.get(patient.sex, "O")
        ds.PatientAge = f"{age:03d}Y"
        ds.StudyDate = ds.SeriesDate = ds.AcquisitionDate = ds.ContentDate = study_day.strftime("%Y%m%d")
        ds.InstitutionName = "武汉协和医院"
        ds.InstitutionAddress = "湖北省武汉市江汉区解放大道1277号"
        ds.ReferringPhysicianName = "LI^NA=李^娜"
        ds.StudyDescription = "PET-CT 全身显像（R-CHOP 6疗程后） WHOLE BODY"
        ds.SeriesDescription = "CT 衰减校正 5.0mm"
        ds.BodyPartExamined = "WHOLEBODY"
        ds.AccessionNumber = "PET20260720031"
        ds.StudyID = "PET031"
        target = out_dir / f"{family_latin}_{given_latin}_{patient.mrn}_PETCT_{number:04d}.dcm"
        ds.save_as(target, enforce_file_format=True)
        written.append(target)
    return written


def _zip(paths: list[Path]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in paths:
            archive.write(path, arcname=f"PETCT/{path.name}")
    return buffer.getvalue()


def _import_case(
    *, case: DemoCase, physician: User, peer: Peer, agreement: PartnerAgreement, report: SeedReport
) -> ConsultRequest:
    from huizhen.apps.consults import authoring
    from huizhen.apps.registry import fhir, services

    bundle = load_bundle(case.bundle)
    consult: ConsultRequest = fhir.import_bundle(data=bundle, by=physician, peer=peer)
    patient = consult.patient
    assert patient is not None
    authoring.update_request(
        consult=consult,
        by=physician,
        program=case.program,
        urgency=case.urgency,
        subspecialty=case.subspecialty,
        question=case.question,
        language="zh",
    )
    signed_on = dt.date(2026, 11, 18)
    services.record_consent(
        patient=patient,
        by=physician,
        kind=ConsentKind.CONSULTATION,
        signed_on=signed_on,
        scope="本人同意由经治医师将本人病情资料提交境外会诊中心专家进行远程会诊，会诊意见仅提供给经治医师。",
    )
    services.record_consent(
        patient=patient,
        by=physician,
        kind=ConsentKind.CROSS_BORDER,
        signed_on=signed_on,
        destination_country=agreement.country[:2],
        scope="本人单独同意将去标识化后的病历摘要、检查报告及影像资料传输至美国洛杉矶会诊中心，仅用于本次远程会诊。",
    )
    if case.with_pet_ct:
        with tempfile.TemporaryDirectory(prefix="huizhen-demo-dicom-") as tmp:
            paths = write_pet_ct_series(Path(tmp), patient=patient, name_latin=latin_name(bundle))
            authoring.add_attachment(
                consult=consult,
                by=physician,
                upload=_zip(paths),
                filename=f"{patient.mrn}_PETCT_20260720.zip",
                title="PET-CT（R-CHOP 6疗程后，2026-07-20）",
            )
        report.notes.append(f"{consult.reference}: PET-CT series of {DICOM_SLICES} slices attached")
    return consult


def seed_demo_cases(*, peer_name: str | None = None) -> SeedReport:
    """Seed this node's part of the demo (see the module docstring); idempotent."""
    report = SeedReport(created=[], existing=[], notes=[])
    peer = _single_peer(peer_name)
    if settings.HUIZHEN_ROLE == "hub":
        record_partner_agreement(peer=peer, terms=AGREEMENT_WITH_GATEWAY)
        _seed_specialists(report)
        return report
    agreement = record_partner_agreement(peer=peer, terms=AGREEMENT_WITH_HUB)
    physician = User.objects.filter(username=REFERRING_PHYSICIAN).first()
    if physician is None:
        raise DemoSeedError(f"the demo user {REFERRING_PHYSICIAN} does not exist; run `huizhen seed_demo` first")
    for case in DEMO_CASES:
        existing = ConsultRequest.objects.filter(patient__mrn=case.mrn).first()
        if existing is not None:
            report.existing.append(existing.reference)
            continue
        with transaction.atomic():
            consult = _import_case(case=case, physician=physician, peer=peer, agreement=agreement, report=report)
        report.created.append(consult.reference)
    return report


def _seed_specialists(report: SeedReport) -> None:
    from huizhen.apps.consults.models import SpecialistProfile

    specialist = User.objects.filter(username=SPECIALIST).first()
    if specialist is None:
        raise DemoSeedError(f"the demo user {SPECIALIST} does not exist; run `huizhen seed_demo` first")
    _profile, created = SpecialistProfile.objects.get_or_create(user=specialist, defaults=SPECIALIST_PROFILE)
    (report.created if created else report.existing).append(f"specialist profile of {SPECIALIST}")
