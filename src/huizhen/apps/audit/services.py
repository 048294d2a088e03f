"""Writing to the audit log.

:func:`record_event` is the only way entries are created. It locks the chain head so
that concurrent appends (web workers, task workers) still form one chain.
:func:`record_chain_verification` walks the chain and keeps the outcome.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from huizhen.apps.audit import chain
from huizhen.apps.audit.models import AuditChainHead, AuditEntry, ChainVerification

logger = logging.getLogger(__name__)


def _client_ip(request: Any) -> str:
    if request is None:
        return ""
    return str(request.META.get("REMOTE_ADDR", ""))


def record_event(
    *,
    action: str,
    actor: Any = None,
    peer: str = "",
    target: str = "",
    detail: dict[str, Any] | None = None,
    outcome: str = "ok",
    request: Any = None,
) -> AuditEntry:
    """Append one entry; ``actor`` is a user (or None for the node itself or an anonymous caller)."""
    username = ""
    user_id = ""
    if actor is not None and getattr(actor, "is_authenticated", False):
        username = actor.get_username()
        user_id = str(actor.pk)
    elif actor is not None and isinstance(actor, str):
        username = actor
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(
            id=1, defaults={"seq": 0, "entry_hash": chain.GENESIS_HASH}
        )
        fields: dict[str, Any] = {
            "seq": head.seq + 1,
            # Microseconds are dropped so that the stored value hashes the same on every database.
            "at": timezone.now().replace(microsecond=0).isoformat(),
            "action": action,
            "outcome": outcome,
            "actor": username[:150],
            "actor_id": user_id,
            "peer": peer[:128],
            "ip_address": _client_ip(request),
            "target": target[:255],
            # Hash what the database will give back: a JSON round trip turns tuples into
            # lists, non-string keys into strings and other values into their text.
            "detail": json.loads(json.dumps(detail or {}, ensure_ascii=False, default=str)),
        }
        digest = chain.entry_hash(fields, head.entry_hash)
        entry = AuditEntry.objects.create(
            **{**fields, "at": datetime.fromisoformat(fields["at"])},
            prev_hash=head.entry_hash,
            entry_hash=digest,
        )
        head.seq = entry.seq
        head.entry_hash = digest
        head.save(update_fields=["seq", "entry_hash"])
    return entry


def record_chain_verification() -> ChainVerification:
    """Verify the whole chain now and keep the result; a broken chain is logged as an error."""
    from huizhen.apps.audit.selectors import verify_chain

    report = verify_chain()
    if not report.intact:
        assert report.broken is not None
        logger.error("audit chain broken at entry #%s: %s", report.broken.seq, report.broken.reason)
    return ChainVerification.objects.create(
        entries=report.entries,
        intact=report.intact,
        head_hash=report.head_hash,
        broken_seq=report.broken.seq if report.broken else None,
        reason=report.broken.reason if report.broken else "",
    )
