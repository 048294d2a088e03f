"""``{% case_transfer consult %}``: where a case's files stand on their way between the nodes.

The gateway's case page and the hub's workspace include it with ``consult`` in their
context; it renders ``consults/transfer_progress.html`` from the case's
:class:`~huizhen.apps.consults.models.CaseTransfer` (outgoing at a gateway, incoming at
a hub): percent, rate and time left, polled every 2 s by htmx while running; nothing
when the case's files never travelled.
"""

from __future__ import annotations

from typing import Any

from django import template

from huizhen.apps.consults.models import CaseTransfer, ConsultRequest
from huizhen.apps.consults.transfers import transfer_of

register = template.Library()


def progress_context(consult: ConsultRequest) -> dict[str, Any]:
    """What the partial shows: the row, percent, Mbit/s and seconds left (None when unknown)."""
    row = transfer_of(consult)
    if row is None:
        return {"consult": consult, "transfer": None}
    return {"consult": consult, **figures(row)}


def figures(row: CaseTransfer) -> dict[str, Any]:
    """One transfer as shown: percent, Mbit/s, seconds left (None when unknown), MiB done and in all."""
    total = max(row.total_bytes, 0)
    done = min(row.sent_bytes, total) if total else row.sent_bytes
    percent = 100.0 if total == 0 else 100.0 * done / total
    running = row.state == CaseTransfer.TransferState.RUNNING
    left: float | None = None
    if running and row.rate_bps > 0:
        left = (total - done) * 8 / row.rate_bps
    return {
        "transfer": row,
        "running": running,
        "percent": round(percent, 1),
        "mbps": round(row.rate_bps / 1e6, 2),
        "seconds_left": None if left is None else int(left + 0.5),
        "mib_done": round(done / 2**20, 1),
        "mib_total": round(total / 2**20, 1),
    }


@register.inclusion_tag("consults/transfer_progress.html")
def case_transfer(consult: ConsultRequest) -> dict[str, Any]:
    return progress_context(consult)
