"""Hash-chain arithmetic for audit entries, independent of storage.

``entry_hash = SHA-256(canonical JSON of the entry's fields, including prev_hash)``.
Canonical JSON is UTF-8 with sorted keys and no insignificant whitespace, so the same
entry hashes the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS_HASH = "0" * 64
HASHED_FIELDS = ("seq", "at", "action", "outcome", "actor", "actor_id", "peer", "ip_address", "target", "detail")


def entry_hash(fields: Mapping[str, Any], prev_hash: str) -> str:
    payload = {name: fields[name] for name in HASHED_FIELDS}
    payload["prev_hash"] = prev_hash
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class BrokenLink:
    seq: int
    reason: str


def first_broken_link(entries: Iterable[Mapping[str, Any]]) -> BrokenLink | None:
    """Walk entries in seq order; return the first that does not follow from its predecessor."""
    prev_hash = GENESIS_HASH
    expected_seq = 1
    for entry in entries:
        seq = int(entry["seq"])
        if seq != expected_seq:
            return BrokenLink(expected_seq, f"entry #{expected_seq} is missing (next entry is #{seq})")
        if entry["prev_hash"] != prev_hash:
            return BrokenLink(seq, f"entry #{seq} does not link to the hash of entry #{seq - 1}")
        if entry_hash(entry, prev_hash) != entry["entry_hash"]:
            return BrokenLink(seq, f"entry #{seq} was altered after it was written (hash mismatch)")
        prev_hash = entry["entry_hash"]
        expected_seq += 1
    return None
