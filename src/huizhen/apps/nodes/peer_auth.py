"""Inbound node API calls: verify the caller's signature against registered peers, sign our answer.

Use :func:`peer_signed` on a django-ninja operation via ``decorate_view``; it runs
before ninja parses the body. The target URI is rebuilt with
``request.build_absolute_uri()``, so behind a reverse proxy the proxy must pass the
original ``Host`` header through and (in production) ``X-Forwarded-Proto``, which
``SECURE_PROXY_SSL_HEADER`` honours; otherwise every signature fails as
``bad_signature``. Refusals are 401 with ``{"error": reason, "detail": ...}`` and
an audit entry ``peer.rejected``; accepted calls are audited as ``peer.call_in``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse

from huizhen.apps.audit.services import record_event
from huizhen.apps.nodes.identity import node_identity, node_private_key
from huizhen.apps.nodes.selectors import peer_by_fingerprint, public_key_for
from huizhen.apps.nodes.services import DatabaseNonceStore
from huizhen.httpsig.signatures import SignatureRejected, sign_response, verify_request


def sign_answer(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Add Content-Digest and Signature headers binding ``response`` to the signed ``request``."""
    headers = sign_response(
        key=node_private_key(),
        keyid=node_identity().fingerprint,
        status=response.status_code,
        body=response.content,
        request_method=request.method or "GET",
        request_url=request.build_absolute_uri(),
        request_headers=dict(request.headers),
    )
    for name, value in headers.items():
        response[name] = value
    return response


def peer_signed(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            verified = verify_request(
                method=request.method or "GET",
                url=request.build_absolute_uri(),
                headers=dict(request.headers),
                body=request.body,
                public_key_for=public_key_for,
                nonces=DatabaseNonceStore(),
            )
        except SignatureRejected as exc:
            known = peer_by_fingerprint(exc.keyid) if exc.keyid else None
            record_event(
                action="peer.rejected",
                peer=known.name if known else exc.keyid,
                target=request.path,
                outcome="rejected",
                detail={"reason": str(exc.reason), "keyid": exc.keyid, "detail": exc.detail[:500]},
                request=request,
            )
            return JsonResponse({"error": str(exc.reason), "detail": exc.detail}, status=401)
        peer = peer_by_fingerprint(verified.keyid)
        assert peer is not None  # verify_request found its key a moment ago
        request.peer = peer  # type: ignore[attr-defined]
        record_event(
            action="peer.call_in",
            peer=peer.name,
            target=request.path,
            detail={"method": request.method, "fingerprint": peer.fingerprint},
            request=request,
        )
        return sign_answer(request, view(request, *args, **kwargs))

    return wrapper
