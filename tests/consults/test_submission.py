"""The submission pipeline across two real nodes: de-identified, refused by policy, retried, idempotent."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from tests.consults.nodes import TwoNodes, create_case, state_of, submit, two_nodes, wait_for_state

__all__ = ["two_nodes"]  # the fixture, imported for this module

pytestmark = pytest.mark.slow

DONE = {"submitted", "submission_failed"}


def _patient(suffix: str) -> dict[str, Any]:
    return {
        "family_name": "李",
        "given_name": f"建国{suffix}",
        "mrn": f"MRN-SUB-{suffix}",
        "birth_date": dt.date(1961, 5, 4),
    }


HUB_CASE = """
import json
from huizhen.apps.consults.models import ConsultRequest
c = ConsultRequest.objects.get(reference={reference!r})
print(json.dumps(dict(state=c.state, patient=c.patient_id, pseudonym=c.patient_pseudonym,
    attachments=[a.kind for a in c.attachments.all()], facts=c.export_facts)))
"""

ATTACHMENTS = """
import json
from huizhen.apps.consults.models import ConsultRequest
c = ConsultRequest.objects.get(reference={reference!r})
print(json.dumps({{a.kind: [a.deid_status, a.deid_note] for a in c.attachments.all()}}))
"""

REGISTER = """
import json
from huizhen.apps.policy.models import ExportRegisterEntry
print(json.dumps(ExportRegisterEntry.objects.count()))
"""

RETRY = """
import json
from huizhen.apps.consults import submission
from huizhen.apps.consults.models import ConsultRequest
c = ConsultRequest.objects.get(reference={reference!r})
submission.retry_submission(consult=c, by=c.referring_physician)
print(json.dumps(ConsultRequest.objects.get(reference={reference!r}).state))
"""


def test_a_lawful_case_reaches_the_hub_as_a_pseudonymous_case(two_nodes: TwoNodes, tmp_path: Path) -> None:
    report = tmp_path / "report.txt"
    report.write_text("病理报告：弥漫大B细胞淋巴瘤。", encoding="utf-8")
    reference = create_case(
        two_nodes.gateway,
        reference="HZ-S000001",
        patient=_patient("1"),
        attachments=[{"path": report, "kind": "text", "filename": "report.txt", "title": "病理报告"}],
        submit=True,
    )

    assert wait_for_state(two_nodes.gateway, reference, DONE)[0] == "submitted"
    hub_case = two_nodes.hub.json(HUB_CASE.format(reference=reference))
    assert hub_case["state"] == "submitted"
    assert hub_case["patient"] is None
    assert hub_case["pseudonym"].startswith("PT-")
    assert hub_case["attachments"] == ["text"]
    assert hub_case["facts"]["consent"]["cross_border"] is True


def test_a_pdf_is_left_out_with_the_reason_shown_on_the_gateway(two_nodes: TwoNodes, tmp_path: Path) -> None:
    pdf = tmp_path / "scan.pdf"
    pdf.write_bytes(b"%PDF-1.4 scanned discharge letter")
    reference = create_case(
        two_nodes.gateway,
        reference="HZ-S000002",
        patient=_patient("2"),
        attachments=[{"path": pdf, "kind": "pdf", "filename": "scan.pdf", "title": "出院小结"}],
        submit=True,
    )

    assert wait_for_state(two_nodes.gateway, reference, DONE)[0] == "submitted"
    status, note = two_nodes.gateway.json(ATTACHMENTS.format(reference=reference))["pdf"]
    assert status == "excluded"
    assert "cannot be de-identified yet" in note
    assert two_nodes.hub.json(HUB_CASE.format(reference=reference))["attachments"] == []


AGREEMENT = """
from huizhen.apps.consults.models import PartnerAgreement
PartnerAgreement.objects.filter(peer__name="Test hub").update(standard_contract={filed})
"""


def test_a_case_the_policy_refuses_fails_with_the_rule_and_never_reaches_the_hub(two_nodes: TwoNodes) -> None:
    two_nodes.gateway.python(AGREEMENT.format(filed=False))
    try:
        reference = create_case(two_nodes.gateway, reference="HZ-S000003", patient=_patient("3"), submit=True)
        state, error = wait_for_state(two_nodes.gateway, reference, DONE)
    finally:
        two_nodes.gateway.python(AGREEMENT.format(filed=True))

    assert state == "submission_failed"
    assert "CN-XB-01a" in error
    assert state_of(two_nodes.hub, reference) is None


def test_a_transfer_failure_leaves_the_case_retryable_and_the_retry_sends_it(two_nodes: TwoNodes) -> None:
    two_nodes.hub.stop_web()
    try:
        reference = create_case(two_nodes.gateway, reference="HZ-S000004", patient=_patient("4"), submit=True)
        state, error = wait_for_state(two_nodes.gateway, reference, DONE)
    finally:
        two_nodes.hub.start_web()
        two_nodes.hub.wait_until_up()
    assert state == "submission_failed"
    assert "could not be reached" in error
    assert state_of(two_nodes.hub, reference) is None

    two_nodes.gateway.json(RETRY.format(reference=reference))

    assert wait_for_state(two_nodes.gateway, reference, DONE)[0] == "submitted"
    assert state_of(two_nodes.hub, reference) == ["submitted", ""]


def test_sending_a_case_the_hub_already_has_is_idempotent(two_nodes: TwoNodes) -> None:
    reference = create_case(two_nodes.gateway, reference="HZ-S000005", patient=_patient("5"), submit=True)
    wait_for_state(two_nodes.gateway, reference, DONE)
    # As if the hub's answer had been lost: the gateway believes the attempt failed.
    two_nodes.gateway.python(
        f"from huizhen.apps.consults.models import ConsultRequest\n"
        f"ConsultRequest.objects.filter(reference={reference!r}).update(state='submission_failed')\n"
    )

    two_nodes.gateway.json(RETRY.format(reference=reference))

    assert wait_for_state(two_nodes.gateway, reference, DONE)[0] == "submitted"
    count = two_nodes.hub.json(
        "import json\nfrom huizhen.apps.consults.models import ConsultRequest\n"
        f"print(json.dumps(ConsultRequest.objects.filter(reference={reference!r}).count()))"
    )
    assert count == 1


def test_submitting_a_submitted_case_again_changes_nothing(two_nodes: TwoNodes) -> None:
    reference = create_case(two_nodes.gateway, reference="HZ-S000006", patient=_patient("6"), submit=True)
    wait_for_state(two_nodes.gateway, reference, DONE)

    assert submit(two_nodes.gateway, reference) == "submitted"


def test_each_export_is_counted_once_in_the_register(two_nodes: TwoNodes) -> None:
    before = two_nodes.gateway.json(REGISTER)

    reference = create_case(two_nodes.gateway, reference="HZ-S000007", patient=_patient("7"), submit=True)

    wait_for_state(two_nodes.gateway, reference, DONE)

    assert two_nodes.gateway.json(REGISTER) == before + 1
