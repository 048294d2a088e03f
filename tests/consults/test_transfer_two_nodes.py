"""A case's files between two real nodes through the transfer engine: signed, chunked, resumable.

The gateway's submission sends the de-identified files to the hub's signed
``/api/node/consults/transfer/<reference>/v1/…`` endpoints; they land in the hub's
chunk store, are committed as received files, and both nodes record the transfer
(the progress the case pages show). An interrupted transfer is resumed by the retried
submission, which sends only the chunks the hub does not hold; an unsigned call is refused.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.consults.nodes import TwoNodes, create_case, submit, two_nodes, wait_for_state

__all__ = ["two_nodes"]  # the fixture, imported for this module

pytestmark = pytest.mark.slow

DONE = {"submitted", "submission_failed"}
TRANSFER = "/api/node/consults/transfer/"


def _patient(suffix: str) -> dict[str, Any]:
    return {
        "family_name": "王",
        "given_name": f"秀英{suffix}",
        "mrn": f"MRN-TR-{suffix}",
        "birth_date": dt.date(1958, 2, 9),
    }


def _reports(tmp_path: Path, count: int, case: str) -> list[dict[str, Any]]:
    """``count`` text reports whose contents belong to ``case`` alone (else the hub's dedup would hold them)."""
    items = []
    for index in range(count):
        report = tmp_path / f"report-{index}.txt"
        report.write_text(
            f"{case} 病理报告{index}：弥漫大B细胞淋巴瘤，Ki-67 {60 + index}%。" * (20 + index), encoding="utf-8"
        )
        items.append({"path": report, "kind": "text", "filename": report.name, "title": f"报告{index}"})
    return items


# The hub: the received files, whether each is in the engine's chunk store, the audit of the calls.
HUB_FILES = """
import json
from pathlib import Path
from django.conf import settings
from huizhen.apps.audit.models import AuditEntry
from huizhen.apps.consults.models import CaseTransfer, ReceivedBlob
hashes = {hashes!r}
store = Path(settings.HUIZHEN_BLOB_DIR) / "received" / ".huizhen-transfer" / "chunks"
row = CaseTransfer.objects.filter(reference={reference!r}, direction="incoming").first()
attempts = []
if row is not None:
    log = store.parent / "sessions" / row.session_id / "attempts.log"
    attempts = log.read_text().split() if log.exists() else []
print(json.dumps(dict(
    received=sorted(ReceivedBlob.objects.filter(sha256__in=hashes).values_list("sha256", flat=True)),
    blob_paths=sorted(ReceivedBlob.objects.filter(sha256__in=hashes).values_list("blob", flat=True)),
    in_store=sorted(h for h in hashes if (store / h[:2] / h).exists()),
    calls=sorted(set(AuditEntry.objects.filter(action="peer.call_in", target__startswith={prefix!r})
                     .values_list("target", flat=True))),
    transfer=None if row is None else [row.state, row.files, row.sent_bytes, row.total_bytes],
    attempts=attempts,
)))
"""

# The gateway: the package's file hashes and the transfer rows and audit.
GATEWAY_TRANSFER = """
import json
from huizhen.apps.audit.models import AuditEntry
from huizhen.apps.consults.models import CaseTransfer, ConsultRequest
c = ConsultRequest.objects.get(reference={reference!r})
row = CaseTransfer.objects.filter(reference={reference!r}, direction="outgoing").first()
sent = AuditEntry.objects.filter(action="consults.transfer_sent", target={reference!r}).order_by("-seq").first()
print(json.dumps(dict(
    hashes=sorted(a.deid_sha256 for a in c.attachments.all() if a.deid_sha256),
    transfer=None if row is None else [row.state, row.files, row.sent_bytes, row.total_bytes, row.rate_bps > 0],
    sent=None if sent is None else sent.detail,
)))
"""

# An interrupted first attempt: the package's files sent with a signer that fails after the first chunk.
INTERRUPTED = """
import json, threading
from huizhen.apps.consults import packaging, transfers
from huizhen.apps.consults.models import ConsultRequest
from huizhen.transfer import TransferError
c = ConsultRequest.objects.select_related("patient", "peer").get(reference={reference!r})
package = packaging.build_package(consult=c)
real = transfers.signing_hook()
lock, puts = threading.Lock(), [0]
def failing_hook():
    def sign(method, url, body):
        if method == "PUT":
            with lock:
                puts[0] += 1
                if puts[0] > 1:
                    raise TransferError("the link went down (test)")
        return real(method, url, body)
    return sign
transfers.signing_hook = failing_hook
try:
    transfers.send_case_files(consult=c, blobs=package.blobs)
    outcome = "sent"
except TransferError as exc:
    outcome = str(exc)
print(json.dumps(dict(outcome=outcome, hashes=sorted(package.blobs), puts=puts[0])))
"""


def test_a_submissions_files_arrive_through_the_signed_transfer_endpoints(two_nodes: TwoNodes, tmp_path: Path) -> None:
    reference = create_case(
        two_nodes.gateway,
        reference="HZ-T000001",
        patient=_patient("1"),
        attachments=_reports(tmp_path, 2, "T1"),
        submit=True,
    )

    assert wait_for_state(two_nodes.gateway, reference, DONE)[0] == "submitted"
    gateway = two_nodes.gateway.json(GATEWAY_TRANSFER.format(reference=reference))
    hashes = gateway["hashes"]
    hub = two_nodes.hub.json(HUB_FILES.format(hashes=hashes, reference=reference, prefix=TRANSFER + reference))

    assert len(hashes) == 2
    assert hub["received"] == hashes
    assert hub["blob_paths"] == sorted(f"received/{h[:2]}/{h}" for h in hashes)
    assert hub["in_store"] == hashes  # each small file is one chunk, held in the engine's store
    assert f"{TRANSFER}{reference}/v1/sessions" in hub["calls"]
    assert any(call.endswith("/commit") for call in hub["calls"])
    assert sum("/chunks/" in call for call in hub["calls"]) == 2
    assert hub["transfer"][0:2] == ["done", 2]
    assert hub["transfer"][2] == hub["transfer"][3] > 0
    assert gateway["transfer"][0:2] == ["done", 2]
    assert gateway["transfer"][2] == gateway["transfer"][3] > 0
    assert gateway["transfer"][4] is True
    assert gateway["sent"]["chunks_sent"] == 2


def test_an_interrupted_transfer_resumes_without_resending_held_chunks(two_nodes: TwoNodes, tmp_path: Path) -> None:
    reference = create_case(
        two_nodes.gateway, reference="HZ-T000002", patient=_patient("2"), attachments=_reports(tmp_path, 3, "T2")
    )
    first = two_nodes.gateway.json(INTERRUPTED.format(reference=reference))
    hashes = first["hashes"]
    assert "the link went down" in first["outcome"], first
    interrupted = two_nodes.gateway.json(GATEWAY_TRANSFER.format(reference=reference))
    assert interrupted["transfer"][0] == "failed"
    held = two_nodes.hub.json(HUB_FILES.format(hashes=hashes, reference=reference, prefix=TRANSFER + reference))
    assert 1 <= len(held["in_store"]) < len(hashes) == 3
    assert held["received"] == []  # nothing committed

    assert submit(two_nodes.gateway, reference) in {"submitting", "submitted"}
    assert wait_for_state(two_nodes.gateway, reference, DONE)[0] == "submitted"

    after = two_nodes.gateway.json(GATEWAY_TRANSFER.format(reference=reference))
    assert after["hashes"] == hashes  # the same package, so the same session
    assert after["sent"]["chunks_sent"] == 3 - len(held["in_store"])
    assert after["sent"]["chunks_resent"] == 0
    hub = two_nodes.hub.json(HUB_FILES.format(hashes=hashes, reference=reference, prefix=TRANSFER + reference))
    assert hub["received"] == hashes
    assert sorted(hub["attempts"]) == hashes  # every chunk uploaded exactly once over both attempts


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "HZ-T000009/v1/sessions"),
        ("PUT", "HZ-T000009/v1/sessions/" + "0" * 32 + "/chunks/" + "a" * 64),
        ("GET", "HZ-T000009/v1/sessions/" + "0" * 32),
        ("POST", "HZ-T000009/v1/sessions/" + "0" * 32 + "/commit"),
    ],
)
def test_an_unsigned_call_to_the_transfer_endpoints_is_refused(two_nodes: TwoNodes, method: str, path: str) -> None:
    # The bodies the engine sends: a manifest, a chunk, nothing for status and commit.
    body = None if method == "GET" or path.endswith("/commit") else b'{"manifest": "{}", "signature": ""}'
    response = httpx.request(method, f"{two_nodes.hub.url}{TRANSFER}{path}", content=body, timeout=10)
    assert response.status_code == 401
    assert response.json()["error"]
