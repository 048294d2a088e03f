"""Background tasks of the consultation: the submission pipeline (the outbox's delivery task is in relay).

:func:`submit_case` runs :func:`huizhen.apps.consults.submission.run_submission` for one
case. It is a plain task, not a ``retrying_task``: a failed submission is an outcome the
physician must see (SUBMISSION_FAILED with the reason, then "Retry"), not an attempt to
roll back and repeat behind their back.
"""

from __future__ import annotations

from django_tasks import task


@task()
def submit_case(reference: str, by_id: int | None = None) -> str:
    from huizhen.apps.consults.submission import run_submission

    return run_submission(reference=reference, by_id=by_id)
