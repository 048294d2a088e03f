"""The node's task policy on the embedded database backend: atomic attempts, backoff, give-up."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from huizhen.apps.audit import selectors
from huizhen.apps.audit.models import AuditEntry, ChainVerification
from huizhen.apps.audit.services import record_event
from huizhen.apps.audit.tasks import verify_audit_chain
from huizhen.site.tasking import ATTEMPT_KWARG, retry_delay
from tests.site.flaky_tasks import BASE_DELAY, MAX_ATTEMPTS, append_note
from tests.site.processes import run_huizhen


def _run_worker_once() -> None:
    """One batch of the real worker command, in this process: runs every task that is due."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0", stdout=io.StringIO())


def _make_pending_retries_due() -> None:
    # Stands in for waiting out the backoff delay.
    DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(run_after=timezone.now())


def _notes(note: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action="test.note", target=note))


@pytest.mark.django_db(transaction=True)
def test_the_db_worker_process_runs_the_chain_verification_task() -> None:
    record_event(action="peer.added", target="gateway.example.cn")
    result = verify_audit_chain.enqueue()

    worker = run_huizhen("db_worker", "--batch", "--no-startup-delay", "--no-reload")

    assert worker.returncode == 0, worker.stderr
    verification = ChainVerification.objects.get()
    assert (verification.intact, verification.entries) == (True, 1)
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value["verification_id"] == verification.pk


@pytest.mark.django_db(transaction=True)
def test_a_failed_attempt_rolls_back_and_is_re_enqueued_later_with_the_next_attempt_number() -> None:
    append_note.enqueue(note="flaky-once", failures=1)
    before = timezone.now()

    _run_worker_once()

    assert _notes("flaky-once") == []  # the first attempt's write was rolled back
    failed = DBTaskResult.objects.get(status=TaskResultStatus.FAILED)
    retry = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    assert failed.args_kwargs["kwargs"] == {"note": "flaky-once", "failures": 1}
    assert retry.args_kwargs["kwargs"] == {"note": "flaky-once", "failures": 1, ATTEMPT_KWARG: 2}
    assert before + BASE_DELAY / 2 <= retry.run_after <= timezone.now() + BASE_DELAY


@pytest.mark.django_db(transaction=True)
def test_a_retried_task_takes_effect_exactly_once() -> None:
    append_note.enqueue(note="flaky-twice", failures=2)

    for _ in range(MAX_ATTEMPTS):
        _run_worker_once()
        _make_pending_retries_due()

    notes = _notes("flaky-twice")
    assert [note.detail["attempt"] for note in notes] == [3]
    assert DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).count() == 1
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()
    assert selectors.verify_chain().intact


@pytest.mark.django_db(transaction=True)
def test_a_task_that_keeps_failing_stops_after_max_attempts_and_is_audited() -> None:
    append_note.enqueue(note="hopeless", failures=99)

    for _ in range(MAX_ATTEMPTS + 2):
        _run_worker_once()
        _make_pending_retries_due()

    assert DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).count() == MAX_ATTEMPTS
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()
    assert _notes("hopeless") == []
    gave_up = AuditEntry.objects.get(action="task.gave_up")
    assert gave_up.outcome == "failed"
    assert gave_up.target == "tests.site.flaky_tasks.append_note"
    assert gave_up.detail["attempts"] == MAX_ATTEMPTS
    assert "fails on purpose" in gave_up.detail["error"]


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}})
def test_a_backend_that_cannot_defer_retries_at_once() -> None:
    append_note.enqueue(note="immediate", failures=1)

    assert [note.detail["attempt"] for note in _notes("immediate")] == [2]


def test_backoff_doubles_per_attempt_with_jitter_and_is_capped() -> None:
    base, cap = timedelta(seconds=30), timedelta(minutes=5)

    delays = {attempt: retry_delay(attempt=attempt, base_delay=base, max_delay=cap) for attempt in range(1, 8)}

    assert timedelta(seconds=15) <= delays[1] <= timedelta(seconds=30)
    assert timedelta(seconds=60) <= delays[3] <= timedelta(seconds=120)
    assert all(cap / 2 <= delays[attempt] <= cap for attempt in (5, 6, 7))


@pytest.mark.django_db(transaction=True)
def test_audit_verify_enqueue_hands_the_verification_to_the_worker() -> None:
    out = io.StringIO()

    call_command("audit", "verify", "--enqueue", stdout=out)
    _run_worker_once()

    assert out.getvalue().startswith("audit chain verification enqueued as task ")
    assert ChainVerification.objects.get().intact
