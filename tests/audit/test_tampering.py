"""Verification finds an entry edited or removed behind the application's back."""

from __future__ import annotations

import json

import pytest

from huizhen.apps.audit import selectors
from huizhen.apps.audit.services import record_event
from tests.audit.tampering import drop_append_only_triggers, raw_sql

pytestmark = pytest.mark.django_db


@pytest.fixture
def five_entries() -> None:
    for n in range(1, 6):
        record_event(action="record.viewed", actor="dr.chen", target=f"consult/{n}", detail={"病历": n})


@pytest.mark.usefixtures("five_entries")
def test_an_edited_detail_is_reported_at_exactly_that_entry() -> None:
    drop_append_only_triggers()
    raw_sql("UPDATE audit_auditentry SET detail = %s WHERE seq = 3", [json.dumps({"病历": 99})])

    broken = selectors.first_broken_link()

    assert broken is not None
    assert broken.seq == 3
    assert "altered" in broken.reason


@pytest.mark.usefixtures("five_entries")
def test_a_rehashed_edit_is_reported_at_the_next_entry() -> None:
    # An attacker who also recomputes the edited entry's own hash still breaks the link
    # stored in the entry after it.
    drop_append_only_triggers()
    raw_sql("UPDATE audit_auditentry SET entry_hash = %s WHERE seq = 2", ["f" * 64])

    broken = selectors.first_broken_link()

    assert broken is not None
    assert broken.seq == 2


@pytest.mark.usefixtures("five_entries")
def test_a_deleted_entry_is_reported_as_missing() -> None:
    drop_append_only_triggers()
    raw_sql("DELETE FROM audit_auditentry WHERE seq = 4")

    broken = selectors.first_broken_link()

    assert broken is not None
    assert broken.seq == 4
    assert "missing" in broken.reason


@pytest.mark.usefixtures("five_entries")
def test_deleting_the_newest_entries_is_reported_against_the_chain_head() -> None:
    drop_append_only_triggers()
    raw_sql("DELETE FROM audit_auditentry WHERE seq >= 4")

    broken = selectors.first_broken_link()

    assert broken is not None
    assert broken.seq == 4
    assert "missing" in broken.reason
