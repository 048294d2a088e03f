"""A case's de-identified files between the nodes, through the transfer engine, and their progress.

The gateway's submission calls :func:`send_case_files`: the package's files are staged
as ``<aa>/<sha256>`` (hard links), and :func:`huizhen.transfer.send` delivers them to
the peer's ``/api/node/consults/transfer/<reference>/v1/…`` endpoints
(:mod:`huizhen.apps.consults.api.transfer`) over several streams, each request signed
with this node's key (RFC 9421, :func:`signing_hook`) instead of the engine's bearer
token. Resume is the engine's: a retried submission re-opens the same session and sends
only the chunks the hub does not hold. At the hub, :func:`open_incoming`,
:func:`store_chunk` and :func:`commit_incoming` drive one
:class:`~huizhen.transfer.ReceiverCore` per peer over ``<blob dir>/received``; a
committed file is at ``received/<aa>/<sha256>`` and becomes a
:class:`~huizhen.apps.consults.models.ReceivedBlob`, exactly where and as the former
one-file ``PUT`` left it, so intake is unchanged. The manifest's HMAC key is derived
from the two nodes' fingerprints (:func:`manifest_key`): public, so it binds a
manifest to the pair of nodes but authenticates nothing; the authentication is the
RFC 9421 signature over every request, body included (``Content-Digest``).
Progress is one :class:`~huizhen.apps.consults.models.CaseTransfer` row per case and
direction, written at most once a second in its own short update.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from huizhen.apps.audit.services import record_event
from huizhen.apps.consults.models import CaseTransfer, ConsultRequest, ReceivedBlob
from huizhen.apps.nodes.identity import node_identity, node_private_key
from huizhen.apps.nodes.models import Peer
from huizhen.httpsig.signatures import sign_request
from huizhen.transfer import Manifest, Progress, ReceiverCore, SessionStatus, Summary, TransferError, send

logger = logging.getLogger(__name__)

TRANSFER_PATH = "/api/node/consults/transfer/"
#: Progress rows are written at most this often (seconds).
PROGRESS_INTERVAL = 1.0
#: How long the sender waits for an unreachable hub before the submission fails (retryable).
DEFAULT_PATIENCE = 30.0
RECEIVED_DIR = "received"
_KEY_INFO = b"huizhen consults transfer manifest v1"


def patience() -> float:
    return float(getattr(settings, "HUIZHEN_TRANSFER_PATIENCE", DEFAULT_PATIENCE))


def manifest_key(*, sender_fingerprint: str, receiver_fingerprint: str) -> bytes:
    """HKDF-SHA256 of the (sender, receiver) fingerprint pair: binds a manifest to two nodes; not a secret."""
    material = f"{sender_fingerprint}\n{receiver_fingerprint}".encode()
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_KEY_INFO).derive(material)


def signing_hook() -> Callable[[str, str, bytes], dict[str, str]]:
    """The engine's ``auth`` hook: each request signed with this node's key (RFC 9421)."""
    key, keyid = node_private_key(), node_identity().fingerprint

    def sign(method: str, url: str, body: bytes) -> dict[str, str]:
        return sign_request(key=key, keyid=keyid, method=method, url=url, body=body)

    return sign


def blob_name(sha256: str) -> str:
    """Where a file travels and lands, relative to ``<blob dir>/received``."""
    return f"{sha256[:2]}/{sha256}"


# --- gateway: sending ------------------------------------------------------------------------


def send_case_files(*, consult: ConsultRequest, blobs: dict[str, Path]) -> Summary | None:
    """Deliver ``blobs`` (SHA-256 → file) to the case's peer; None when there is nothing to send.

    Raises :class:`~huizhen.transfer.TransferError` (the row is left FAILED with the reason).
    """
    peer = consult.peer
    if peer is None or not blobs:
        return None
    stage = Path(settings.HUIZHEN_BLOB_DIR) / "outgoing" / consult.reference
    shutil.rmtree(stage, ignore_errors=True)
    try:
        for sha256, source in blobs.items():
            with source.open("rb") as handle:  # streamed: a whole-slide image is gigabytes
                digest = hashlib.file_digest(handle, "sha256").hexdigest()
            if digest != sha256:
                raise TransferError(f"{source.name} changed since it was packaged")
            target = stage / blob_name(sha256)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(source, target)
            except OSError:
                shutil.copyfile(source, target)
        now = timezone.now()
        row, _created = CaseTransfer.objects.update_or_create(
            reference=consult.reference,
            direction=CaseTransfer.Direction.OUTGOING,
            peer=peer,
            defaults={
                "request": consult,
                "session_id": "",
                "files": len(blobs),
                "total_bytes": sum(path.stat().st_size for path in blobs.values()),
                "sent_bytes": 0,
                "rate_bps": 0.0,
                "state": CaseTransfer.TransferState.RUNNING,
                "last_error": "",
                "started_at": now,
                "updated_at": now,
                "finished_at": None,
            },
        )
        url = peer.base_url.rstrip("/") + TRANSFER_PATH + consult.reference
        identity = node_identity()
        try:
            summary = send(
                sorted(path for path in stage.iterdir() if path.is_dir()),
                url,
                auth=signing_hook(),
                key=manifest_key(sender_fingerprint=identity.fingerprint, receiver_fingerprint=peer.fingerprint),
                progress=_throttled(row.pk),
                patience=patience(),
            )
        except TransferError as exc:
            CaseTransfer.objects.filter(pk=row.pk).update(
                state=CaseTransfer.TransferState.FAILED,
                last_error=str(exc)[:2000],
                updated_at=timezone.now(),
                finished_at=timezone.now(),
            )
            record_event(
                action="consults.transfer_failed",
                peer=peer.name,
                target=consult.reference,
                outcome="failed",
                detail={"error": str(exc)[:300]},
            )
            raise
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    CaseTransfer.objects.filter(pk=row.pk).update(
        state=CaseTransfer.TransferState.DONE,
        sent_bytes=summary.total_bytes,
        total_bytes=summary.total_bytes,
        rate_bps=summary.mbps * 1e6,
        updated_at=timezone.now(),
        finished_at=timezone.now(),
    )
    record_event(
        action="consults.transfer_sent",
        peer=peer.name,
        target=consult.reference,
        detail={
            "files": summary.files,
            "bytes": summary.total_bytes,
            "sent": summary.bytes,
            "seconds": round(summary.seconds, 3),
            "mbps": round(summary.mbps, 3),
            "chunks_sent": summary.chunks_sent,
            "chunks_resent": summary.chunks_resent,
            "streams": summary.streams_used,
        },
    )
    return summary


def _throttled(row_pk: int) -> Callable[[Progress], None]:
    last = [0.0]

    def report(progress: Progress) -> None:
        now = time.monotonic()
        if now - last[0] < PROGRESS_INTERVAL:
            return
        last[0] = now
        try:
            CaseTransfer.objects.filter(pk=row_pk).update(
                sent_bytes=progress.bytes_done,
                total_bytes=progress.bytes_total,
                rate_bps=progress.mbps * 1e6,
                updated_at=timezone.now(),
            )
        except Exception:  # progress is a display; never let it stop the transfer
            logger.exception("could not record transfer progress")

    return report


# --- hub: receiving --------------------------------------------------------------------------

_cores: dict[str, ReceiverCore] = {}
_cores_lock = threading.Lock()
_last_progress: dict[str, float] = {}


def max_file_bytes() -> int:
    from huizhen.apps.consults.api.node import max_blob_bytes

    return max_blob_bytes()


def receiver_for(peer: Peer) -> ReceiverCore:
    """The receiver core for files from ``peer`` (its manifest key is the pair's)."""
    with _cores_lock:
        core = _cores.get(peer.fingerprint)
        if core is None:
            key = manifest_key(sender_fingerprint=peer.fingerprint, receiver_fingerprint=node_identity().fingerprint)
            core = ReceiverCore(
                Path(settings.HUIZHEN_BLOB_DIR) / RECEIVED_DIR,
                max_file_bytes=max_file_bytes(),
                max_total_bytes=None,
                key=key,
            )
            _cores[peer.fingerprint] = core
        return core


def open_incoming(*, peer: Peer, reference: str, manifest_json: Any, signature: Any) -> SessionStatus:
    """Open (or re-open) the session of a case's files; only ``<aa>/<sha256>`` names are taken."""
    from huizhen.transfer import ManifestError

    if not isinstance(manifest_json, str | bytes):
        raise ManifestError("manifest must be a string")
    for entry in Manifest.from_json(manifest_json).files:
        if entry.path != blob_name(entry.sha256):
            raise ManifestError(f"{entry.path}: case files travel as <aa>/<sha256> of their content")
    status = receiver_for(peer).open_session(manifest_json, str(signature))
    now = timezone.now()
    CaseTransfer.objects.update_or_create(
        reference=reference,
        direction=CaseTransfer.Direction.INCOMING,
        peer=peer,
        defaults={
            "request": ConsultRequest.objects.filter(reference=reference).first(),
            "session_id": status.session_id,
            "files": len(status.files),
            "total_bytes": status.total_bytes,
            "sent_bytes": status.received_bytes,
            "rate_bps": 0.0,
            "state": CaseTransfer.TransferState.DONE if status.committed else CaseTransfer.TransferState.RUNNING,
            "last_error": "",
            "started_at": now,
            "updated_at": now,
            "finished_at": None,
        },
    )
    return status


def _bound(*, peer: Peer, reference: str, session_id: str) -> None:
    from huizhen.transfer import SessionError

    if not CaseTransfer.objects.filter(
        reference=reference, direction=CaseTransfer.Direction.INCOMING, peer=peer, session_id=session_id
    ).exists():
        raise SessionError(f"no session {session_id} for {reference} from this peer")


def incoming_status(*, peer: Peer, reference: str, session_id: str) -> SessionStatus:
    _bound(peer=peer, reference=reference, session_id=session_id)
    return receiver_for(peer).status(session_id)


def chunk_limit(*, peer: Peer, reference: str, session_id: str) -> int:
    """The largest body a chunk of this session may have (its chunk size + 1 MiB)."""
    status = incoming_status(peer=peer, reference=reference, session_id=session_id)
    core = receiver_for(peer)
    return core._session(status.session_id).manifest.chunk_size + 1024 * 1024


def store_chunk(*, peer: Peer, reference: str, session_id: str, sha256: str, body: bytes, encoding: str | None) -> bool:
    """Store one chunk (False: it does not hash to ``sha256``; the sender sends it again)."""
    _bound(peer=peer, reference=reference, session_id=session_id)
    core = receiver_for(peer)
    core.begin_chunk(session_id, sha256)
    stored = core.put_chunk(session_id, sha256, body, encoding)
    now = time.monotonic()
    if stored and now - _last_progress.get(session_id, 0.0) >= PROGRESS_INTERVAL:
        _last_progress[session_id] = now
        _record_incoming_progress(peer=peer, reference=reference, status=core.status(session_id))
    return stored


def _record_incoming_progress(*, peer: Peer, reference: str, status: SessionStatus) -> None:
    row = CaseTransfer.objects.filter(reference=reference, direction=CaseTransfer.Direction.INCOMING, peer=peer).first()
    if row is None:
        return
    now = timezone.now()
    seconds = (now - row.updated_at).total_seconds()
    rate = row.rate_bps
    if seconds > 0 and status.received_bytes >= row.sent_bytes:
        instant = (status.received_bytes - row.sent_bytes) * 8 / seconds
        rate = instant if rate == 0 else 0.5 * rate + 0.5 * instant
    CaseTransfer.objects.filter(pk=row.pk).update(
        sent_bytes=status.received_bytes, total_bytes=status.total_bytes, rate_bps=rate, updated_at=now
    )


def commit_incoming(*, peer: Peer, reference: str, session_id: str) -> list[str]:
    """Verify and place every file, record each as a ReceivedBlob; the names committed."""
    _bound(peer=peer, reference=reference, session_id=session_id)
    core = receiver_for(peer)
    paths = core.commit(session_id)
    committed: list[str] = []
    with transaction.atomic():
        for path in paths:
            sha256 = path.name
            relative = f"{RECEIVED_DIR}/{path.relative_to(core.directory).as_posix()}"
            _blob, created = ReceivedBlob.objects.get_or_create(
                sha256=sha256, defaults={"peer": peer, "size": path.stat().st_size, "blob": relative}
            )
            if created:
                record_event(
                    action="consults.blob_received",
                    peer=peer.name,
                    target=sha256,
                    detail={"size": path.stat().st_size, "transfer": session_id},
                )
            committed.append(relative)
        row = CaseTransfer.objects.filter(
            reference=reference, direction=CaseTransfer.Direction.INCOMING, peer=peer
        ).first()
        if row is not None:
            now = timezone.now()
            seconds = max((now - row.started_at).total_seconds(), 1e-3)
            status = core.status(session_id)
            CaseTransfer.objects.filter(pk=row.pk).update(
                sent_bytes=status.total_bytes,
                rate_bps=row.rate_bps or status.total_bytes * 8 / seconds,
                state=CaseTransfer.TransferState.DONE,
                updated_at=now,
                finished_at=now,
            )
        record_event(
            action="consults.transfer_received",
            peer=peer.name,
            target=reference,
            detail={"session": session_id, "files": len(paths), "chunks_resent": core.status(session_id).chunks_resent},
        )
    _last_progress.pop(session_id, None)
    return committed


# --- reading -------------------------------------------------------------------------------


def transfer_of(consult: ConsultRequest) -> CaseTransfer | None:
    """The case's latest transfer as this node sees it: outgoing at a gateway, incoming at a hub."""
    direction = CaseTransfer.Direction.INCOMING if settings.HUIZHEN_ROLE == "hub" else CaseTransfer.Direction.OUTGOING
    return CaseTransfer.objects.filter(reference=consult.reference, direction=direction).order_by("-updated_at").first()
