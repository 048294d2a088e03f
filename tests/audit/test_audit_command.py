"""``huizhen audit verify`` and ``huizhen audit tail`` as an operator runs them."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from huizhen.apps.audit.models import AuditEntry
from huizhen.apps.audit.services import record_event
from tests.audit.tampering import drop_append_only_triggers, raw_sql
from tests.site.processes import run_huizhen


def _verify() -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit", "verify", stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code or 0), err.getvalue()
    return 0, out.getvalue()


@pytest.mark.django_db
def test_verify_reports_an_intact_chain_with_its_head() -> None:
    for n in range(3):
        record_event(action="auth.login", actor=f"user{n}")
    head = AuditEntry.objects.get(seq=3).entry_hash

    status, output = _verify()

    assert status == 0
    assert output.strip() == f"audit chain intact: 3 entries, head {head}"


@pytest.mark.django_db
def test_verify_exits_1_and_names_the_edited_entry() -> None:
    for n in range(4):
        record_event(action="record.viewed", target=f"consult/{n}", detail={"医生": "王"})
    drop_append_only_triggers()
    raw_sql("UPDATE audit_auditentry SET detail = %s WHERE seq = 2", [json.dumps({"医生": "李"})])

    status, output = _verify()

    assert status == 1
    assert output.startswith("audit chain broken at entry #2: ")


@pytest.mark.django_db
def test_tail_prints_the_newest_entries_oldest_first() -> None:
    for n in range(1, 6):
        record_event(action="record.viewed", actor="dr.chen", target=f"consult/{n}")
    out = io.StringIO()

    call_command("audit", "tail", "-n", "2", stdout=out)

    lines = out.getvalue().splitlines()
    assert [line.split()[0] for line in lines] == ["#4", "#5"]
    assert "consult/5" in lines[1]


@pytest.mark.django_db(transaction=True)
def test_the_huizhen_command_verifies_the_log_and_signals_a_break_by_exit_status() -> None:
    record_event(action="peer.added", target="gateway.example.cn", detail={"name": "华西医院"})
    record_event(action="peer.call_out", peer="gateway.example.cn")

    intact = run_huizhen("audit", "verify")
    drop_append_only_triggers()
    raw_sql("DELETE FROM audit_auditentry WHERE seq = 1")
    broken = run_huizhen("audit", "verify")

    assert intact.returncode == 0, intact.stderr
    assert intact.stdout.startswith("audit chain intact: 2 entries, head ")
    assert broken.returncode == 1
    assert "audit chain broken at entry #1: entry #1 is missing" in broken.stderr
