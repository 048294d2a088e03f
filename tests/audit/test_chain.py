"""Appending to the audit log links every entry to the one before it."""

from __future__ import annotations

import pytest

from huizhen.apps.audit import chain, selectors
from huizhen.apps.audit.models import AuditEntry
from huizhen.apps.audit.services import record_event

pytestmark = pytest.mark.django_db


def test_first_entry_links_to_the_genesis_hash() -> None:
    entry = record_event(action="peer.added", target="hub.example.org")

    assert entry.seq == 1
    assert entry.prev_hash == chain.GENESIS_HASH


def test_each_entry_links_to_the_hash_of_the_previous_one() -> None:
    first = record_event(action="auth.login", actor="wang.fang")
    second = record_event(action="record.viewed", actor="wang.fang", target="consult/7")

    assert second.seq == first.seq + 1
    assert second.prev_hash == first.entry_hash
    assert second.entry_hash != first.entry_hash


def test_an_intact_log_has_no_broken_link() -> None:
    for n in range(5):
        record_event(action="export.case", detail={"n": n})

    report = selectors.verify_chain()

    assert report.intact
    assert report.entries == 5
    assert report.head_hash == AuditEntry.objects.get(seq=5).entry_hash


def test_an_empty_log_verifies_as_intact() -> None:
    report = selectors.verify_chain()

    assert report.intact
    assert report.entries == 0
    assert report.head_hash == chain.GENESIS_HASH


def test_chinese_text_in_detail_survives_and_still_verifies() -> None:
    detail = {"patient": "张伟", "diagnosis": "弥漫大B细胞淋巴瘤", "hospital": "四川大学华西医院"}
    record_event(action="record.viewed", actor="李医生", target="会诊/12", detail=detail)

    stored = AuditEntry.objects.get()

    assert stored.detail == detail
    assert stored.actor == "李医生"
    assert selectors.first_broken_link() is None


def test_detail_with_non_json_values_is_stored_as_hashed() -> None:
    # Tuples become lists and integer keys become strings in the database; the hash
    # must be computed over what comes back, or every such entry would fail verification.
    record_event(action="export.case", detail={"series": (1, 2), 3: "三", "nested": {"b": 1.5, "a": None}})

    assert AuditEntry.objects.get().detail == {"series": [1, 2], "3": "三", "nested": {"b": 1.5, "a": None}}
    assert selectors.first_broken_link() is None
