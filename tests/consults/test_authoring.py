"""Writing a request at the gateway: drafts, edits, attachments of every kind, and submitting once."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from huizhen.apps.audit.models import AuditEntry
from huizhen.apps.consults import authoring
from huizhen.apps.consults.models import Attachment, State
from huizhen.apps.consults.summary import SummaryInvalid
from huizhen.apps.registry import blobs
from huizhen.deid.dicom.synthetic import generate_ct_series
from tests.consults.factories import (
    AttachmentFactory,
    ConsultRequestFactory,
    PatientFactory,
    PeerFactory,
    ReferringPhysicianFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def gateway(settings: Any) -> None:
    settings.HUIZHEN_ROLE = "gateway"


@pytest.fixture(scope="module")
def ct_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return generate_ct_series(tmp_path_factory.mktemp("ct"), slices=3, rows=16, cols=16)


def _files(consult_reference: str) -> list[Path]:
    folder = Path(settings.HUIZHEN_BLOB_DIR) / "attachments" / consult_reference
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        for name, content in members.items():
            bundle.writestr(name, content)
    return buffer.getvalue()


def test_a_draft_gets_a_fresh_reference_and_the_physicians_name() -> None:
    physician = ReferringPhysicianFactory(first_name="Wei", last_name="Zhang")
    consult = authoring.create_draft(patient=PatientFactory(), by=physician)
    assert consult.reference.startswith("HZ-")
    assert consult.referring_physician_name == "Wei Zhang"
    assert consult.state == State.DRAFT
    assert AuditEntry.objects.filter(action="consult.draft_created", target=consult.reference).exists()


def test_a_draft_is_not_written_at_a_hub(settings: Any) -> None:
    settings.HUIZHEN_ROLE = "hub"
    with pytest.raises(authoring.AuthoringError):
        authoring.create_draft(patient=PatientFactory(), by=ReferringPhysicianFactory())


def test_a_gateway_peer_cannot_be_chosen_as_the_hub() -> None:
    consult = ConsultRequestFactory()
    with pytest.raises(authoring.AuthoringError):
        authoring.choose_hub(consult=consult, by=consult.referring_physician, peer=PeerFactory())


def test_an_update_with_an_invalid_summary_changes_nothing() -> None:
    consult = ConsultRequestFactory()
    before = consult.summary
    with pytest.raises(SummaryInvalid):
        authoring.update_request(
            consult=consult,
            by=consult.referring_physician,
            summary={"performance_status": {"scale": "ECOG", "value": 9}},
        )
    consult.refresh_from_db()
    assert consult.summary == before


def test_a_submitted_request_can_no_longer_be_changed() -> None:
    consult = ConsultRequestFactory(state=State.SUBMITTED)
    with pytest.raises(authoring.NotEditable):
        authoring.update_request(consult=consult, by=consult.referring_physician, question="changed")


def test_a_pdf_is_stored_with_its_hash() -> None:
    consult = ConsultRequestFactory()
    content = b"%PDF-1.7\nreport\n%%EOF\n"
    attachment = authoring.add_attachment(consult=consult, by=None, upload=content, filename="../../etc/report.pdf")
    assert (attachment.kind, attachment.filename, attachment.size) == ("pdf", "report.pdf", len(content))
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert blobs.blob_path(attachment.blob).read_bytes() == content


def test_a_chinese_text_report_is_stored_as_text() -> None:
    attachment = authoring.add_attachment(
        consult=ConsultRequestFactory(), by=None, upload="骨髓穿刺报告：增生活跃。".encode(), filename="bm.txt"
    )
    assert attachment.kind == "text"


def test_a_single_dicom_file_becomes_a_study_directory_of_one_instance(ct_files: list[Path]) -> None:
    consult = ConsultRequestFactory()
    attachment = authoring.add_attachment(consult=consult, by=None, upload=ct_files[0].read_bytes(), filename="a.dcm")
    directory = blobs.blob_path(attachment.blob)
    assert attachment.kind == "dicom"
    assert [p.name for p in directory.iterdir()] == ["IM00001.dcm"]


def test_a_zip_of_a_study_is_unpacked_to_its_dicom_instances_only(ct_files: list[Path]) -> None:
    consult = ConsultRequestFactory()
    members = {f"../DICOM/{i}/IM{i}": path.read_bytes() for i, path in enumerate(ct_files)}
    members["DICOMDIR.txt"] = b"viewer index"
    archive = _zip(members)
    attachment = authoring.add_attachment(consult=consult, by=None, upload=archive, filename="study.zip")
    directory = blobs.blob_path(attachment.blob)
    assert attachment.kind == "dicom"
    assert sorted(p.name for p in directory.iterdir()) == ["IM00001.dcm", "IM00002.dcm", "IM00003.dcm"]
    assert attachment.sha256 == hashlib.sha256(archive).hexdigest()
    assert not list(directory.parent.glob("*.zip"))


def test_a_zip_without_dicom_is_refused_and_leaves_nothing() -> None:
    consult = ConsultRequestFactory()
    with pytest.raises(blobs.UploadRefused):
        authoring.add_attachment(consult=consult, by=None, upload=_zip({"a.txt": b"x"}), filename="x.zip")
    assert _files(consult.reference) == []
    assert not Attachment.objects.exists()


def test_a_damaged_zip_is_refused_and_leaves_nothing() -> None:
    consult = ConsultRequestFactory()
    with pytest.raises(blobs.UploadRefused):
        authoring.add_attachment(consult=consult, by=None, upload=b"PK\x03\x04broken", filename="x.zip")
    assert _files(consult.reference) == []


def test_an_upload_over_the_limit_leaves_no_partial_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(authoring, "ATTACHMENT_MAX_BYTES", 1000)
    consult = ConsultRequestFactory()
    big = io.BytesIO(b"%PDF-1.4\n" + b"0" * 5000)
    with pytest.raises(blobs.UploadRefused):
        authoring.add_attachment(consult=consult, by=None, upload=big, filename="big.pdf")
    assert _files(consult.reference) == []
    folder = Path(settings.HUIZHEN_BLOB_DIR) / "attachments" / consult.reference
    assert not list(folder.rglob("*.part"))


def test_an_interrupted_upload_leaves_no_partial_file() -> None:
    class Interrupted(io.BytesIO):
        def __init__(self) -> None:
            super().__init__(b"%PDF-1.4\n" + b"0" * 3 * blobs.CHUNK)
            self.reads = 0

        def read(self, size: int | None = -1) -> bytes:
            self.reads += 1
            if self.reads > 3:
                raise ConnectionResetError("client went away")
            return super().read(size)

    consult = ConsultRequestFactory()
    with pytest.raises(ConnectionResetError):
        authoring.add_attachment(consult=consult, by=None, upload=Interrupted(), filename="cut.pdf")
    assert _files(consult.reference) == []


def test_a_binary_file_of_an_unknown_kind_is_refused() -> None:
    with pytest.raises(blobs.UploadRefused):
        authoring.add_attachment(
            consult=ConsultRequestFactory(), by=None, upload=b"\x00\x01\x02\xff" * 10, filename="x.bin"
        )


def test_no_attachment_is_added_to_a_submitted_request() -> None:
    consult = ConsultRequestFactory(state=State.SUBMITTED)
    with pytest.raises(authoring.NotEditable):
        authoring.add_attachment(consult=consult, by=None, upload=b"%PDF-1.4\n", filename="late.pdf")
    assert _files(consult.reference) == []


def test_removing_an_attachment_deletes_its_file(django_capture_on_commit_callbacks: Any) -> None:
    attachment = AttachmentFactory()
    path = blobs.blob_path(attachment.blob)
    with django_capture_on_commit_callbacks(execute=True):
        authoring.remove_attachment(attachment=attachment, by=None)
    assert not Attachment.objects.exists()
    assert not path.exists()


def test_submitting_an_incomplete_request_raises_with_the_missing_items() -> None:
    consult = ConsultRequestFactory(subspecialty="", peer=None)
    with pytest.raises(authoring.IncompleteRequest) as incomplete:
        authoring.submit_request(consult=consult, by=consult.referring_physician)
    assert "The subspecialty is not chosen." in incomplete.value.missing
    assert "The consulting hub is not chosen." in incomplete.value.missing
    consult.refresh_from_db()
    assert consult.state == State.DRAFT


def test_submitting_moves_the_case_to_submitting() -> None:
    consult = ConsultRequestFactory()
    authoring.submit_request(consult=consult, by=consult.referring_physician)
    consult.refresh_from_db()
    assert consult.state == State.SUBMITTING


def test_submitting_a_case_already_on_its_way_changes_nothing() -> None:
    consult = ConsultRequestFactory(state=State.SUBMITTED)
    result = authoring.submit_request(consult=consult, by=consult.referring_physician)
    assert result.state == State.SUBMITTED
    assert not AuditEntry.objects.filter(action="consult.transition", target=consult.reference).exists()


def test_only_a_referring_physician_may_submit() -> None:
    from huizhen.apps.consults.workflow import TransitionRefused
    from tests.accounts.factories import UserFactory

    consult = ConsultRequestFactory()
    with pytest.raises(TransitionRefused):
        authoring.submit_request(consult=consult, by=UserFactory())
    consult.refresh_from_db()
    assert consult.state == State.DRAFT
