"""Scale-out: the same tasks on the RQ backend, a real redis-server and a real RQ worker process.

The worker is started as ``huizhen rqworker --burst --with-scheduler`` with the node's
real settings (``HUIZHEN_TASKS_BACKEND=rq``) and the test database, exactly as an
operator runs it, apart from ``--burst`` so that it exits when the queue is empty.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from django.test import override_settings
from django_tasks import TaskResultStatus

from huizhen.apps.audit.models import AuditEntry, ChainVerification
from huizhen.apps.audit.services import record_event
from huizhen.apps.audit.tasks import verify_audit_chain
from tests.site.flaky_tasks import append_note
from tests.site.processes import run_huizhen

pytestmark = pytest.mark.slow
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    if not Path(REDIS_SERVER).exists():
        pytest.skip("redis-server not installed: apt-get install redis-server")
    port = _free_port()
    server = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.05)
        yield url
    finally:
        client.close()
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def rq_backend(redis_url: str) -> Iterator[str]:
    """This process enqueues onto Redis, as a node configured with HUIZHEN_TASKS_BACKEND=rq does."""
    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}},
        RQ_QUEUES={"default": {"URL": redis_url, "DEFAULT_TIMEOUT": 600}},
        RQ={"JOB_CLASS": "django_tasks_rq.Job"},
    ):
        yield redis_url


def _rq_worker(redis_url: str) -> subprocess.CompletedProcess[str]:
    return run_huizhen(
        "rqworker",
        "--burst",
        "--with-scheduler",
        "default",
        HUIZHEN_TASKS_BACKEND="rq",
        HUIZHEN_REDIS_URL=redis_url,
    )


@pytest.mark.django_db(transaction=True)
def test_an_rq_worker_process_runs_the_chain_verification_task(rq_backend: str) -> None:
    record_event(action="peer.added", target="hub.example.org", detail={"名称": "洛杉矶"})
    result = verify_audit_chain.enqueue()

    worker = _rq_worker(rq_backend)

    assert worker.returncode == 0, worker.stderr
    verification = ChainVerification.objects.get()
    assert (verification.intact, verification.entries) == (True, 1)
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL


@pytest.mark.django_db(transaction=True)
def test_a_failed_attempt_is_scheduled_on_redis_and_succeeds_once_when_due(rq_backend: str) -> None:
    first = append_note.enqueue(note="rq-flaky", failures=1)

    first_run = _rq_worker(rq_backend)
    first.refresh()
    ran_at_once = AuditEntry.objects.filter(action="test.note", target="rq-flaky").exists()
    # The retry waits in RQ's scheduled registry until its backoff (under a second) is over.
    time.sleep(1.2)
    second_run = _rq_worker(rq_backend)

    assert first_run.returncode == 0, first_run.stderr
    assert second_run.returncode == 0, second_run.stderr
    assert first.status == TaskResultStatus.FAILED
    assert not ran_at_once
    notes = AuditEntry.objects.filter(action="test.note", target="rq-flaky")
    assert [note.detail["attempt"] for note in notes] == [2]
