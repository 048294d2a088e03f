"""Background work of translation: the machine draft of a queued task.

Engines may be slow network services, so the draft is never produced inside a web
request. Retries follow the node's policy (:func:`huizhen.site.tasking.retrying_task`);
after the last attempt the task simply stays in the human queue.
"""

from __future__ import annotations

from datetime import timedelta

from huizhen.site.tasking import retrying_task


@retrying_task(max_attempts=4, base_delay=timedelta(seconds=30), max_delay=timedelta(minutes=10))
def machine_translate(*, task_id: int) -> str:
    """Store the machine draft of task ``task_id``; returns the task's status afterwards."""
    from huizhen.apps.translation.services import store_machine_draft

    return str(store_machine_draft(task_id=task_id).status)
