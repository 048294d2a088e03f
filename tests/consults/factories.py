"""Factories for the consultation: patients, consents, requests on either node, attachments.

Shared by every consultation test area. A :class:`ConsultRequestFactory` case is the
gateway's identified original and is complete by default (it passes the completeness
check): a patient with active consultation and cross-border consents to the hub's
country, a referring physician at a referring hospital, a Chinese summary and a hub peer
with a partner agreement. :class:`HubConsultRequestFactory` is the hub's de-identified
copy: no patient, a pseudonym and the gateway it came from. New factories are appended
at the end of this file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from base64 import b32encode
from pathlib import Path
from typing import Any

import factory
from django.conf import settings

from huizhen.apps.accounts.models import Institution, Role
from huizhen.apps.consults.models import (
    Attachment,
    AttachmentKind,
    ConsultRequest,
    PartnerAgreement,
    Program,
    State,
    Subspecialty,
    Urgency,
)
from huizhen.apps.nodes.models import Peer
from huizhen.apps.registry.models import Consent, ConsentKind, Patient, Sex
from tests.accounts.factories import InstitutionFactory, MembershipFactory, UserFactory
from tests.nodes.factories import PeerFactory


def _pseudonym() -> str:
    return "PT-" + b32encode(secrets.token_bytes(5)).decode("ascii")[:8]


def complete_summary() -> dict[str, Any]:
    """A complete Chinese-language DLBCL summary in the shape of :mod:`huizhen.apps.consults.summary`."""
    return {
        "diagnoses": [
            {"text": "弥漫大B细胞淋巴瘤，非生发中心型", "icd10": "C83.3", "icdo3": "9680/3", "date": "2026-03-02"}
        ],
        "stage": "Ann Arbor IIIB",
        "performance_status": {"scale": "ECOG", "value": 1},
        "treatment_lines": [
            {
                "line": 1,
                "regimen": "R-CHOP",
                "start": "2026-03-10",
                "end": "2026-07-01",
                "cycles": 6,
                "response": "PR",
            }
        ],
        "labs": [
            {"name": "LDH", "loinc": "2532-0", "value": "412", "unit": "U/L", "date": "2026-08-01"},
            {"name": "β2微球蛋白", "loinc": "1952-1", "value": "3.8", "unit": "mg/L", "date": "2026-08-01"},
        ],
        "pathology": "左颈部淋巴结切除活检：弥漫大B细胞淋巴瘤，非生发中心型。",
        "ihc": "CD20+, CD10-, BCL6+, MUM1+, Ki-67 80%",
        "flow_cytometry": "",
        "cytogenetics": "FISH：MYC重排阴性，BCL2重排阴性。",
        "molecular": "MYD88 L265P 阳性。",
        "history": "患者2026年2月发现颈部无痛性肿块，伴发热、盗汗。R-CHOP 6周期后PET-CT示部分缓解。",
    }


class ReferringHospitalFactory(InstitutionFactory):
    name = "Wuhan Union Hospital"
    name_local = "华中科技大学同济医学院附属协和医院"
    kind = Institution.Kind.REFERRING_HOSPITAL
    country = "CN"


class ReferringPhysicianFactory(UserFactory):
    """A user who is a referring physician at the referring hospital."""

    first_name = "Wei"
    last_name = "Zhang"

    membership = factory.RelatedFactory(
        MembershipFactory,
        factory_related_name="user",
        institution=factory.SubFactory(ReferringHospitalFactory),
        role=Role.REFERRING_PHYSICIAN,
    )


class HubPeerFactory(PeerFactory):
    """The consulting hub as a gateway sees it, with a partner agreement naming its country."""

    class Meta:
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Hub {n}")
    role = Peer.Role.HUB

    agreement = factory.RelatedFactory("tests.consults.factories.PartnerAgreementFactory", factory_related_name="peer")


class PartnerAgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerAgreement

    peer = factory.SubFactory(PeerFactory)
    country = "US"
    standard_contract = True
    impact_assessment = True
    security_assessment = False
    hipaa_authorization = True
    dsp_security_program = True
    licensed_in = factory.LazyFunction(list)


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    family_name = "李"
    given_name = factory.Sequence(lambda n: f"建国{n}")
    name_latin = factory.Sequence(lambda n: f"Li Jianguo{n}")
    mrn = factory.Sequence(lambda n: f"MRN{20260000 + n}")
    national_id = factory.Sequence(lambda n: f"42010119650312{n:04d}")
    birth_date = dt.date(1965, 3, 12)
    sex = Sex.MALE
    phone = "13812345678"
    address = "湖北省武汉市江汉区解放大道1277号"
    country = "CN"
    pseudonym = factory.LazyFunction(_pseudonym)
    date_shift_days = 47


class ConsentFactory(factory.django.DjangoModelFactory):
    """Cross-border consent to the United States by default."""

    class Meta:
        model = Consent

    patient = factory.SubFactory(PatientFactory)
    kind = ConsentKind.CROSS_BORDER
    scope = "同意将去标识化病历资料传输至美国会诊中心用于远程会诊。"
    destination_country = factory.LazyAttribute(lambda o: "US" if o.kind == ConsentKind.CROSS_BORDER else "")
    signed_on = dt.date(2026, 8, 20)


class ConsultRequestFactory(factory.django.DjangoModelFactory):
    """The gateway's identified draft, complete enough to submit (set ``consents=False`` to skip consents)."""

    class Meta:
        model = ConsultRequest
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"HZ-T{n:06d}")
    patient = factory.SubFactory(PatientFactory)
    peer = factory.SubFactory(HubPeerFactory)
    referring_physician = factory.SubFactory(ReferringPhysicianFactory)
    referring_physician_name = factory.LazyAttribute(
        lambda o: f"{o.referring_physician.first_name} {o.referring_physician.last_name}"
    )
    referring_institution = "Wuhan Union Hospital"
    program = Program.SECOND_OPINION
    urgency = Urgency.ROUTINE
    subspecialty = Subspecialty.LYMPHOMA
    question = "患者R-CHOP 6周期后部分缓解，请问诊断是否准确？下一步是否推荐CAR-T或自体移植？"
    language = "zh"
    summary = factory.LazyFunction(complete_summary)
    state = State.DRAFT

    @factory.post_generation
    def consents(obj: ConsultRequest, create: bool, extracted: Any, **kwargs: Any) -> None:
        if not create or extracted is False or obj.patient is None:
            return
        country = "US"
        if obj.peer is not None and hasattr(obj.peer, "agreement"):
            country = obj.peer.agreement.country[:2]
        ConsentFactory(patient=obj.patient, kind=ConsentKind.CONSULTATION, destination_country="")
        ConsentFactory(patient=obj.patient, kind=ConsentKind.CROSS_BORDER, destination_country=country)


class HubConsultRequestFactory(factory.django.DjangoModelFactory):
    """The hub's de-identified copy as received from a gateway."""

    class Meta:
        model = ConsultRequest

    reference = factory.Sequence(lambda n: f"HZ-H{n:06d}")
    patient = None
    peer = factory.SubFactory(PeerFactory, role=Peer.Role.GATEWAY)
    referring_physician = None
    referring_physician_name = "Wei Zhang"
    referring_institution = "Wuhan Union Hospital"
    patient_pseudonym = factory.LazyFunction(_pseudonym)
    program = Program.SECOND_OPINION
    urgency = Urgency.ROUTINE
    subspecialty = Subspecialty.LYMPHOMA
    question = (
        "After 6 cycles of R-CHOP the patient is in partial remission. Is the diagnosis right? CAR-T or ASCT next?"
    )
    language = "en"
    summary = factory.LazyFunction(
        lambda: {
            "diagnoses": [
                {
                    "text": "Diffuse large B-cell lymphoma, non-GCB",
                    "icd10": "C83.3",
                    "icdo3": "9680/3",
                    "date": "2026-04-18",
                }
            ],
            "stage": "Ann Arbor IIIB",
            "performance_status": {"scale": "ECOG", "value": 1},
            "treatment_lines": [
                {
                    "line": 1,
                    "regimen": "R-CHOP",
                    "start": "2026-04-26",
                    "end": "2026-08-17",
                    "cycles": 6,
                    "response": "PR",
                }
            ],
            "labs": [{"name": "LDH", "loinc": "2532-0", "value": "412", "unit": "U/L", "date": "2026-09-17"}],
            "pathology": "Excisional biopsy of a left cervical node: DLBCL, non-GCB type.",
            "ihc": "CD20+, CD10-, BCL6+, MUM1+, Ki-67 80%",
            "history": "[NAME-1] noticed a painless neck mass in [DATE-1] with fever and night sweats.",
        }
    )
    state = State.SUBMITTED
    submitted_at = factory.LazyFunction(lambda: dt.datetime.now(dt.UTC))


class AttachmentFactory(factory.django.DjangoModelFactory):
    """A small text report stored under the node's blob directory (the file exists)."""

    class Meta:
        model = Attachment

    class Params:
        content = "病理报告：弥漫大B细胞淋巴瘤。".encode()

    request = factory.SubFactory(ConsultRequestFactory)
    kind = AttachmentKind.TEXT
    title = "Pathology report"
    filename = "pathology.txt"
    content_type = "text/plain"
    size = factory.LazyAttribute(lambda o: len(o.content))
    sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.content).hexdigest())
    blob = factory.LazyAttribute(lambda o: _write_blob(o.content, o.sha256))


def _write_blob(content: bytes, sha256: str) -> str:
    relative = f"attachments/{sha256[:2]}/{sha256}"
    path = Path(settings.HUIZHEN_BLOB_DIR) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return relative
