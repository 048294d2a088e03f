"""The state machine of a translation task: every status change is one named event in one table.

::

    queued ──machine_draft──▶ machine_draft
    queued / machine_draft ──claim──▶ in_review ◀──claim── rejected
    in_review ──save──▶ in_review
    in_review ──submit──▶ translated ──verify──▶ verified
                          translated ──reject──▶ rejected

A machine draft is never verified as it stands: a translator claims it, edits (or
accepts) it and submits it; a clinician then verifies or returns it with a comment.
A verified translation is final; a new text is a new task. Services ask
:func:`advance` for the next status and never assign ``status`` themselves.
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from huizhen.apps.translation.models import Status


class Event(StrEnum):
    MACHINE_DRAFT = "machine_draft"
    CLAIM = "claim"
    SAVE = "save"
    SUBMIT = "submit"
    VERIFY = "verify"
    REJECT = "reject"


TRANSITIONS: dict[tuple[Status, Event], Status] = {
    (Status.QUEUED, Event.MACHINE_DRAFT): Status.MACHINE_DRAFT,
    (Status.QUEUED, Event.CLAIM): Status.IN_REVIEW,
    (Status.MACHINE_DRAFT, Event.CLAIM): Status.IN_REVIEW,
    (Status.REJECTED, Event.CLAIM): Status.IN_REVIEW,
    (Status.IN_REVIEW, Event.SAVE): Status.IN_REVIEW,
    (Status.IN_REVIEW, Event.SUBMIT): Status.TRANSLATED,
    (Status.TRANSLATED, Event.VERIFY): Status.VERIFIED,
    (Status.TRANSLATED, Event.REJECT): Status.REJECTED,
}

#: Statuses a translator can pick a task up from.
CLAIMABLE = frozenset(status for status, event in TRANSITIONS if event == Event.CLAIM)


class TransitionRefused(Exception):
    """A workflow step that is not allowed now; the message is for the person who tried it."""


class IllegalTransition(TransitionRefused):
    def __init__(self, status: str, event: str) -> None:
        self.status = status
        self.event = event
        super().__init__(
            _("A task that is “%(status)s” cannot be %(event)s.")
            % {"status": dict(Status.choices).get(status, status), "event": EVENT_PAST[Event(event)]}
        )


EVENT_PAST: dict[Event, Promise] = {
    Event.MACHINE_DRAFT: gettext_lazy("given a machine draft"),
    Event.CLAIM: gettext_lazy("claimed"),
    Event.SAVE: gettext_lazy("edited"),
    Event.SUBMIT: gettext_lazy("submitted for verification"),
    Event.VERIFY: gettext_lazy("verified"),
    Event.REJECT: gettext_lazy("returned"),
}


def advance(status: str, event: Event) -> Status:
    """The status after ``event``, or :class:`IllegalTransition` when the table has no such step."""
    try:
        return TRANSITIONS[(Status(status), event)]
    except (KeyError, ValueError):
        raise IllegalTransition(status, event) from None


def allowed(status: str, event: Event) -> bool:
    return (Status(status), event) in TRANSITIONS
