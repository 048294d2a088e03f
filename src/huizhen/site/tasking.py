"""Task running policy for the node: every background job is a django-tasks task.

Background work goes through Django's tasks API (the ``django-tasks`` backport): the
embedded default is the database backend run by ``huizhen db_worker``; the scale-out
option is the RQ backend on Redis (``HUIZHEN_TASKS_BACKEND=rq``), run by
``huizhen rqworker --with-scheduler``. See ``docs/operations/tasks.md``.

:func:`retrying_task` adds the node's failure policy on top of ``@task``: the body
runs in one database transaction, so a failed attempt leaves nothing behind; only
after that rollback is the same task enqueued again, ``run_after`` an exponentially
growing, jittered delay, with the attempt number carried in the ``retry_attempt``
keyword. After ``max_attempts`` the failure is logged, audited (``task.gave_up``)
and left as the task's failed result.

Neither backend counts attempts across re-enqueues (the database backend creates a
new result per enqueue, so ``TaskContext.attempt`` restarts at 1), which is why the
attempt travels with the arguments; the body reads it with :func:`current_attempt`.
"""

from __future__ import annotations

import functools
import logging
import random
from collections.abc import Callable
from contextvars import ContextVar
from datetime import timedelta
from typing import Any, TypeVar, cast

from django.db import transaction
from django.utils import timezone
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME, task
from django_tasks.base import DEFAULT_TASK_PRIORITY, Task
from typing_extensions import ParamSpec

P = ParamSpec("P")
T = TypeVar("T")

ATTEMPT_KWARG = "retry_attempt"
logger = logging.getLogger(__name__)
_current_attempt: ContextVar[int] = ContextVar("huizhen_task_attempt", default=1)


def current_attempt() -> int:
    """The attempt (1 for the first run) of the retrying task running in this context."""
    return _current_attempt.get()


def retry_delay(*, attempt: int, base_delay: timedelta, max_delay: timedelta) -> timedelta:
    """Delay before the run after ``attempt`` failed: base·2^(attempt-1), capped, with jitter.

    Half of the delay is fixed and half random ("equal jitter"), so retries of many tasks
    that failed together (a peer was down) spread out but never come back sooner than
    half the nominal delay.
    """
    nominal: timedelta = min(max_delay, base_delay * (2 ** (attempt - 1)))
    half: timedelta = nominal / 2
    return half + half * random.random()  # noqa: S311 - spreading load, not secrecy


def retrying_task(
    *,
    max_attempts: int = 5,
    base_delay: timedelta = timedelta(seconds=30),
    max_delay: timedelta = timedelta(hours=1),
    queue_name: str = DEFAULT_TASK_QUEUE_NAME,
    priority: int = DEFAULT_TASK_PRIORITY,
    backend: str = DEFAULT_TASK_BACKEND_ALIAS,
) -> Callable[[Callable[P, T]], Task[P, T]]:
    """Declare a module-level function as a task that is atomic and retried with backoff."""
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")

    def decorate(func: Callable[P, T]) -> Task[P, T]:
        registered: list[Task[..., T]] = []

        @functools.wraps(func)
        def run(*args: Any, retry_attempt: int = 1, **kwargs: Any) -> T:
            token = _current_attempt.set(retry_attempt)
            try:
                with transaction.atomic():
                    return func(*args, **kwargs)
            except Exception as exc:
                # The atomic block has rolled back by now, so the next attempt starts clean.
                _after_failure(
                    registered[0],
                    exc=exc,
                    attempt=retry_attempt,
                    args=args,
                    kwargs=kwargs,
                    max_attempts=max_attempts,
                    base_delay=base_delay,
                    max_delay=max_delay,
                )
                raise
            finally:
                _current_attempt.reset(token)

        created: Task[..., T] = task(priority=priority, queue_name=queue_name, backend=backend)(run)
        registered.append(created)
        return cast(Task[P, T], created)

    return decorate


def _after_failure(
    failed: Task[..., Any],
    *,
    exc: Exception,
    attempt: int,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    max_attempts: int,
    base_delay: timedelta,
    max_delay: timedelta,
) -> None:
    if attempt >= max_attempts:
        logger.error("task %s gave up after %d attempts: %r", failed.module_path, attempt, exc)
        from huizhen.apps.audit.services import record_event

        record_event(
            action="task.gave_up",
            outcome="failed",
            target=failed.module_path,
            detail={"attempts": attempt, "error": f"{type(exc).__name__}: {exc}"[:500]},
        )
        return
    next_run = failed
    if failed.get_backend().supports_defer:
        delay = retry_delay(attempt=attempt, base_delay=base_delay, max_delay=max_delay)
        next_run = failed.using(run_after=timezone.now() + delay)
    # Backends that cannot defer (the immediate backend of tests and demos) retry at once.
    result = next_run.enqueue(*args, **{**kwargs, ATTEMPT_KWARG: attempt + 1})
    logger.warning(
        "task %s attempt %d/%d failed (%r); attempt %d enqueued as %s to run after %s",
        failed.module_path,
        attempt,
        max_attempts,
        exc,
        attempt + 1,
        result.id,
        next_run.run_after or "now",
    )
