"""Appends from many threads at once still form a single unbroken chain."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from huizhen.apps.audit import selectors
from huizhen.apps.audit.models import AuditEntry
from huizhen.apps.audit.services import record_event

THREADS = 6
EVENTS_PER_THREAD = 15


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_form_one_unbroken_chain() -> None:
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def append(worker: int) -> None:
        try:
            start.wait()
            for n in range(EVENTS_PER_THREAD):
                record_event(action="peer.call_in", peer=f"node-{worker}", detail={"n": n, "线程": worker})
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=append, args=(worker,)) for worker in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    report = selectors.verify_chain()
    assert report.intact, report.broken
    assert report.entries == THREADS * EVENTS_PER_THREAD
    assert sorted(AuditEntry.objects.values_list("seq", flat=True)) == list(range(1, THREADS * EVENTS_PER_THREAD + 1))
