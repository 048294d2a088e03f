"""Signed node endpoints of the transfer engine: a case's files, chunk by chunk, from a verified peer.

Mounted at ``/api/node/consults/transfer/<reference>/``, the engine's four endpoints
(``docs/engines/transfer.md``): ``POST v1/sessions`` (manifest + HMAC), ``PUT
v1/sessions/<id>/chunks/<sha256>`` (``Content-Encoding: zstd`` or none), ``GET
v1/sessions/<id>`` and ``POST v1/sessions/<id>/commit``. Authentication is the RFC 9421
signature of a registered peer (:func:`huizhen.apps.nodes.peer_auth.peer_signed`, 401
otherwise), not the engine's bearer token, and every answer is signed. The work is
:mod:`huizhen.apps.consults.transfers`; errors carry the engine's status (400 manifest,
403 manifest signature, 404 session, 409 incomplete, 413 limits, 415 encoding, 507 disk
full) and ``{"error": reason}``, as the engine's own server answers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Router
from ninja.decorators import decorate_view

from huizhen.apps.consults import transfers
from huizhen.apps.consults.api.node import _bounded_body
from huizhen.apps.nodes.models import Peer
from huizhen.apps.nodes.peer_auth import peer_signed
from huizhen.transfer import TransferError
from huizhen.transfer.manifest import MAX_CHUNK_SIZE, is_sha256_hex
from huizhen.transfer.receiver import MAX_MANIFEST_BYTES

router = Router(tags=["consults"])

_REFERENCE = re.compile(r"^HZ-[A-Za-z0-9-]{1,29}$")
_SESSION = re.compile(r"^[0-9a-f]{32}$")


def _signed(limit: int) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        return _bounded_body(lambda: limit)(peer_signed(view))

    return decorate


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _call(action: Callable[[], Any]) -> HttpResponse:
    try:
        result = action()
    except TransferError as exc:
        return _error(exc.status, str(exc))
    return JsonResponse(result)


def _checked(reference: str, session_id: str | None = None) -> JsonResponse | None:
    if not _REFERENCE.match(reference):
        return _error(404, "no such case reference")
    if session_id is not None and not _SESSION.match(session_id):
        return _error(404, f"no session {session_id!r}")
    return None


@router.post("{reference}/v1/sessions", auth=None)
@decorate_view(_signed(MAX_MANIFEST_BYTES))
def open_session(request: HttpRequest, reference: str) -> HttpResponse:
    """Open or re-open the session of a case's files; answers which chunks are missing."""
    peer: Peer = request.peer  # type: ignore[attr-defined]
    refused = _checked(reference)
    if refused is not None:
        return refused
    try:
        body = json.loads(request.body)
        manifest_json, signature = body["manifest"], body["signature"]
    except (ValueError, KeyError, TypeError):
        return _error(400, 'body must be {"manifest": ..., "signature": ...}')
    return _call(
        lambda: asdict(
            transfers.open_incoming(peer=peer, reference=reference, manifest_json=manifest_json, signature=signature)
        )
    )


@router.put("{reference}/v1/sessions/{session_id}/chunks/{sha256}", auth=None)
@decorate_view(_signed(MAX_CHUNK_SIZE + 1024 * 1024))
def put_chunk(request: HttpRequest, reference: str, session_id: str, sha256: str) -> HttpResponse:
    """Store one chunk: 201 stored, 422 its bytes do not hash to ``sha256`` (send it again)."""
    peer: Peer = request.peer  # type: ignore[attr-defined]
    refused = _checked(reference, session_id)
    if refused is not None:
        return refused
    if not is_sha256_hex(sha256):
        return _error(404, "no such endpoint")
    try:
        limit = transfers.chunk_limit(peer=peer, reference=reference, session_id=session_id)
        if len(request.body) > limit:
            return _error(413, f"body length must be 0..{limit}")
        stored = transfers.store_chunk(
            peer=peer,
            reference=reference,
            session_id=session_id,
            sha256=sha256,
            body=request.body,
            encoding=request.headers.get("Content-Encoding"),
        )
    except TransferError as exc:
        return _error(exc.status, str(exc))
    if not stored:
        return _error(422, f"chunk does not match its SHA-256 {sha256}")
    return JsonResponse({"stored": sha256}, status=201)


@router.get("{reference}/v1/sessions/{session_id}", auth=None)
@decorate_view(_signed(0))
def session_status(request: HttpRequest, reference: str, session_id: str) -> HttpResponse:
    """Where the session stands (missing chunks, bytes, re-sends)."""
    peer: Peer = request.peer  # type: ignore[attr-defined]
    refused = _checked(reference, session_id)
    if refused is not None:
        return refused
    return _call(lambda: asdict(transfers.incoming_status(peer=peer, reference=reference, session_id=session_id)))


@router.post("{reference}/v1/sessions/{session_id}/commit", auth=None)
@decorate_view(_signed(0))
def commit_session(request: HttpRequest, reference: str, session_id: str) -> HttpResponse:
    """Verify and place every file of the session (all or nothing); each becomes a received file."""
    peer: Peer = request.peer  # type: ignore[attr-defined]
    refused = _checked(reference, session_id)
    if refused is not None:
        return refused
    return _call(
        lambda: {
            "committed": transfers.commit_incoming(peer=peer, reference=reference, session_id=session_id),
        }
    )
