"""Background work of the audit log: periodic verification of the hash chain."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from huizhen.apps.audit.services import record_chain_verification
from huizhen.site.tasking import retrying_task


@retrying_task(max_attempts=3, base_delay=timedelta(minutes=1))
def verify_audit_chain() -> dict[str, Any]:
    """Walk the chain and store a ChainVerification row; the result is also the task's return value."""
    verification = record_chain_verification()
    return {
        "verification_id": verification.pk,
        "entries": verification.entries,
        "intact": verification.intact,
        "broken_seq": verification.broken_seq,
    }
