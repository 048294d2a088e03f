"""A task that fails on purpose for its first attempts, to exercise the retry policy.

It writes an audit entry before it fails, so a test can see whether a failed attempt
left anything behind. Workers import it by path, so it lives in a module of its own.
"""

from __future__ import annotations

from datetime import timedelta

from huizhen.apps.audit.services import record_event
from huizhen.site.tasking import current_attempt, retrying_task

MAX_ATTEMPTS = 3
BASE_DELAY = timedelta(seconds=1)


@retrying_task(max_attempts=MAX_ATTEMPTS, base_delay=BASE_DELAY, max_delay=timedelta(seconds=4))
def append_note(*, note: str, failures: int) -> int:
    attempt = current_attempt()
    record_event(action="test.note", target=note, detail={"attempt": attempt})
    if attempt <= failures:
        raise RuntimeError(f"attempt {attempt} of {note} fails on purpose")
    return attempt
