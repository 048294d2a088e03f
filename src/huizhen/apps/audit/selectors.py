"""Reading the audit log: listing entries and walking the hash chain to verify it.

Verification streams entries in ``seq`` order and turns each row back into exactly the
values :func:`huizhen.apps.audit.services.record_event` hashed: ``at`` as the ISO 8601
string of a UTC second, ``detail`` as the JSON document the database returns. Both
SQLite and PostgreSQL give back the same values, so a chain written on one verifies
after a dump and load into the other.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db.models import QuerySet

from huizhen.apps.audit import chain
from huizhen.apps.audit.models import AuditChainHead, AuditEntry, ChainVerification

_CHAIN_COLUMNS = (*chain.HASHED_FIELDS, "prev_hash", "entry_hash")


@dataclass(frozen=True)
class ChainReport:
    entries: int
    head_hash: str
    broken: chain.BrokenLink | None

    @property
    def intact(self) -> bool:
        return self.broken is None


def _as_hashed(row: dict[str, Any]) -> dict[str, Any]:
    at: datetime = row["at"]
    # record_event hashed timezone.now() (UTC, whole seconds); read-back values carry
    # whatever zone the driver chose, so normalise to UTC before formatting.
    return {**row, "at": at.astimezone(UTC).isoformat()}


def _stream(*, up_to_seq: int | None) -> Iterator[dict[str, Any]]:
    entries = AuditEntry.objects.order_by("seq")
    if up_to_seq is not None:
        entries = entries.filter(seq__lte=up_to_seq)
    rows = entries.values(*_CHAIN_COLUMNS).iterator(chunk_size=2000)
    for row in rows:
        yield _as_hashed(row)


def verify_chain() -> ChainReport:
    """Walk the whole log; report how many entries link up and the first that does not."""
    # The head is read first so that entries appended while we walk are left for the
    # next verification instead of looking like a mismatch with the head.
    head = AuditChainHead.objects.filter(id=1).first()
    counted = 0
    head_hash = chain.GENESIS_HASH

    def counting() -> Iterator[dict[str, Any]]:
        nonlocal counted, head_hash
        for row in _stream(up_to_seq=head.seq if head else None):
            counted += 1
            yield row
            head_hash = row["entry_hash"]

    broken = chain.first_broken_link(counting())
    if broken is None and head is not None:
        broken = _missing_tail(head=head, last_seq=counted, last_hash=head_hash)
    return ChainReport(entries=counted, head_hash=head_hash, broken=broken)


def _missing_tail(*, head: AuditChainHead, last_seq: int, last_hash: str) -> chain.BrokenLink | None:
    # Deleting the newest entries leaves a chain that still links up; the head row
    # remembers how long the log was and how it ended.
    if head.seq == last_seq and head.entry_hash == last_hash:
        return None
    if head.seq > last_seq:
        return chain.BrokenLink(last_seq + 1, f"entry #{last_seq + 1} is missing (the log had {head.seq} entries)")
    return chain.BrokenLink(last_seq, f"entry #{last_seq} does not match the recorded head of the chain")


def first_broken_link() -> chain.BrokenLink | None:
    """The first entry that does not follow from its predecessor, or None for an intact log."""
    return verify_chain().broken


def entries_newest_first(*, action: str = "") -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.order_by("-seq")
    if action:
        entries = entries.filter(action=action)
    return entries


def recorded_actions() -> list[str]:
    return list(AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct())


def latest_verification() -> ChainVerification | None:
    return ChainVerification.objects.order_by("-at", "-id").first()
