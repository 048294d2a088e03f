"""Handlers for the events a peer relays to this node, by kind.

A module that handles an event kind registers a function with :func:`handles`; the
signed node endpoint (:mod:`huizhen.apps.consults.api.node`) looks the kind up with
:func:`handler_for` and runs it inside the transaction that records the event's id,
so a retried delivery is applied exactly once. Handlers take keyword arguments
``peer`` (the verified sender), ``payload`` (the event's JSON) and ``event_id``.

Event kinds (payload schemas in docs/engines/consults-protocol.md):

* gateway → hub: ``case.submitted``, ``message.posted``, ``info.provided``, ``outcome.recorded``
* hub → gateway: ``case.status``, ``opinion.signed``, ``message.posted``
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Handler = Callable[..., Any]

_HANDLERS: dict[str, Handler] = {}


def handles(kind: str) -> Callable[[Handler], Handler]:
    def register(function: Handler) -> Handler:
        if kind in _HANDLERS and _HANDLERS[kind] is not function:
            raise RuntimeError(f"two handlers for node event {kind!r}")
        _HANDLERS[kind] = function
        return function

    return register


def handler_for(kind: str) -> Handler | None:
    return _HANDLERS.get(kind)


def known_kinds() -> list[str]:
    return sorted(_HANDLERS)
