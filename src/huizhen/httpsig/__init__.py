"""Node identity keys and signed HTTP messages between Huizhen nodes, free of Django.

:mod:`huizhen.httpsig.keys` holds a node's Ed25519 key pair and its fingerprint;
:mod:`huizhen.httpsig.signatures` signs and verifies requests and responses with
HTTP Message Signatures (RFC 9421) over a Content-Digest (RFC 9530).
"""

from huizhen.httpsig.keys import (
    KeyFileError,
    KeyFormatError,
    fingerprint,
    generate_private_key,
    load_or_create_private_key,
    load_private_key,
    normalize_fingerprint,
    public_key_from_b64,
    public_key_to_b64,
    save_private_key,
)
from huizhen.httpsig.signatures import (
    SKEW_SECONDS,
    MemoryNonceStore,
    NonceStore,
    Reason,
    SignatureRejected,
    VerifiedRequest,
    VerifiedResponse,
    sign_request,
    sign_response,
    verify_request,
    verify_response,
)

__all__ = [
    "SKEW_SECONDS",
    "KeyFileError",
    "KeyFormatError",
    "MemoryNonceStore",
    "NonceStore",
    "Reason",
    "SignatureRejected",
    "VerifiedRequest",
    "VerifiedResponse",
    "fingerprint",
    "generate_private_key",
    "load_or_create_private_key",
    "load_private_key",
    "normalize_fingerprint",
    "public_key_from_b64",
    "public_key_to_b64",
    "save_private_key",
    "sign_request",
    "sign_response",
    "verify_request",
    "verify_response",
]
