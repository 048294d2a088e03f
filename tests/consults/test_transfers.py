"""The hub's side of a case transfer in one process: sessions bound to a peer and a case, progress, commit."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import pytest

from huizhen.apps.consults import transfers
from huizhen.apps.consults.models import CaseTransfer, ReceivedBlob
from huizhen.apps.nodes.identity import node_identity
from huizhen.transfer import ManifestError, SessionError, build_manifest, sign_manifest
from tests.nodes.factories import PeerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def blob_dir(settings: Any, tmp_path: Path) -> Path:
    settings.HUIZHEN_BLOB_DIR = str(tmp_path / "blobs")
    settings.HUIZHEN_ROLE = "hub"
    transfers._cores.clear()  # one receiver core per peer and blob directory
    return tmp_path / "blobs"


def _staged(tmp_path: Path, content: bytes, *, name: str | None = None) -> tuple[Path, str]:
    sha256 = hashlib.sha256(content).hexdigest()
    folder = tmp_path / "stage" / sha256[:2]
    folder.mkdir(parents=True)
    (folder / (name or sha256)).write_bytes(content)
    return folder, sha256


def _open(peer: Any, folder: Path, reference: str = "HZ-U000001") -> Any:
    manifest = build_manifest([folder], chunk_size=4096)
    key = transfers.manifest_key(sender_fingerprint=peer.fingerprint, receiver_fingerprint=node_identity().fingerprint)
    status = transfers.open_incoming(
        peer=peer, reference=reference, manifest_json=manifest.to_json(), signature=sign_manifest(manifest, key)
    )
    return manifest, status


def test_chunks_update_the_progress_and_the_commit_records_the_received_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transfers, "PROGRESS_INTERVAL", 0.0)
    peer = PeerFactory()
    content = os.urandom(10_000)
    folder, sha256 = _staged(tmp_path, content)
    manifest, status = _open(peer, folder)
    assert len(status.missing) == 3

    seen = []
    for index, chunk in enumerate(manifest.files[0].chunks):
        data = content[index * 4096 : index * 4096 + chunk.size]
        assert transfers.store_chunk(
            peer=peer,
            reference="HZ-U000001",
            session_id=status.session_id,
            sha256=chunk.sha256,
            body=data,
            encoding=None,
        )
        seen.append(CaseTransfer.objects.get(reference="HZ-U000001").sent_bytes)
    committed = transfers.commit_incoming(peer=peer, reference="HZ-U000001", session_id=status.session_id)

    assert seen == [4096, 8192, 10_000]
    assert committed == [f"received/{sha256[:2]}/{sha256}"]
    blob = ReceivedBlob.objects.get(sha256=sha256)
    assert (blob.peer, blob.size, blob.blob) == (peer, 10_000, committed[0])
    row = CaseTransfer.objects.get(reference="HZ-U000001")
    assert (row.state, row.sent_bytes, row.total_bytes) == ("done", 10_000, 10_000)


def test_a_chunk_that_does_not_hash_to_its_name_is_not_stored(tmp_path: Path) -> None:
    peer = PeerFactory()
    folder, _sha = _staged(tmp_path, b"x" * 5000)
    manifest, status = _open(peer, folder)
    chunk = manifest.files[0].chunks[0]
    assert not transfers.store_chunk(
        peer=peer,
        reference="HZ-U000001",
        session_id=status.session_id,
        sha256=chunk.sha256,
        body=b"y" * 4096,
        encoding=None,
    )


def test_a_file_not_named_by_its_hash_is_refused(tmp_path: Path) -> None:
    folder, _sha = _staged(tmp_path, b"report", name="report.txt")
    with pytest.raises(ManifestError, match="<aa>/<sha256>"):
        _open(PeerFactory(), folder)


def test_another_peer_or_another_case_cannot_use_a_session(tmp_path: Path) -> None:
    peer = PeerFactory()
    folder, _sha = _staged(tmp_path, b"z" * 100)
    _manifest, status = _open(peer, folder)
    with pytest.raises(SessionError):
        transfers.incoming_status(peer=PeerFactory(), reference="HZ-U000001", session_id=status.session_id)
    with pytest.raises(SessionError):
        transfers.commit_incoming(peer=peer, reference="HZ-U000002", session_id=status.session_id)


def test_a_manifest_signed_for_another_pair_of_nodes_is_refused(tmp_path: Path) -> None:
    from huizhen.transfer import SignatureError

    peer = PeerFactory()
    folder, _sha = _staged(tmp_path, b"w" * 100)
    manifest = build_manifest([folder], chunk_size=4096)
    key = transfers.manifest_key(sender_fingerprint="someone-else", receiver_fingerprint=node_identity().fingerprint)
    with pytest.raises(SignatureError):
        transfers.open_incoming(
            peer=peer, reference="HZ-U000001", manifest_json=manifest.to_json(), signature=sign_manifest(manifest, key)
        )
