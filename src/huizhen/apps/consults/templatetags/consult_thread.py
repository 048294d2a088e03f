"""Template tags behind the case partials: the thread, the delivered opinion, the outcome form, the unread badge.

The gateway's case page and the hub's workspace include ``consults/_thread.html``,
``consults/_opinion_delivered.html`` and ``consults/_outcome.html`` with only ``consult``
(and ``request``/``user``) in their context; each partial calls one inclusion tag here,
which reads what it shows (:mod:`huizhen.apps.consults.threads`,
:mod:`huizhen.apps.consults.delivery`, :mod:`huizhen.apps.consults.report`,
:mod:`huizhen.apps.consults.outcomes`) and asks :mod:`huizhen.apps.accounts.permissions`
what the reader may do. A case with no thread, no opinion or no outcome yet renders
the panel's empty state, or nothing. ``{% notifications_badge %}`` is the unread count
for the top bar.
"""

from __future__ import annotations

from typing import Any

from django import template

from huizhen.apps.accounts import permissions
from huizhen.apps.consults import delivery, outcomes, threads
from huizhen.apps.consults.models import Adoption, Notification, State
from huizhen.apps.consults.report import bilingual_opinion

register = template.Library()

#: States in which the case has reached the consulting centre, so the thread is open.
THREAD_STATES = frozenset(
    {
        State.SUBMITTED,
        State.INFO_REQUESTED,
        State.ACCEPTED,
        State.DECLINED,
        State.IN_REVIEW,
        State.SIGNED,
        State.DELIVERED,
        State.CLOSED,
    }
)


def _user(context: template.Context) -> Any:
    user = context.get("user")
    if user is None and context.get("request") is not None:
        user = context["request"].user
    return user


@register.inclusion_tag("consults/thread_panel.html", takes_context=True)
def thread_panel(context: template.Context) -> dict[str, Any]:
    consult = context.get("consult")
    user = _user(context)
    if consult is None or consult.state not in THREAD_STATES or not permissions.can_view_case(user, consult):
        return {"consult": consult, "visible": False}
    can_post = permissions.can_post_message(user, consult)
    question = threads.open_question(consult)
    return {
        "visible": True,
        "consult": consult,
        "entries": threads.thread_of(consult),
        "can_post": can_post and consult.state != State.CLOSED,
        "question": question,
        "can_answer": question is not None and can_post and threads.node_role() == "gateway",
        "node_role": threads.node_role(),
        "thread_error": context.get("thread_error", ""),
        "thread_body": context.get("thread_body", ""),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("consults/opinion_panel.html", takes_context=True)
def opinion_panel(context: template.Context) -> dict[str, Any]:
    consult = context.get("consult")
    user = _user(context)
    if consult is None or not permissions.can_view_case(user, consult):
        return {"consult": consult, "opinions": []}
    return {
        "consult": consult,
        "opinions": [bilingual_opinion(consult, opinion) for opinion in delivery.signed_opinions(consult)],
    }


@register.inclusion_tag("consults/outcome_panel.html", takes_context=True)
def outcome_panel(context: template.Context) -> dict[str, Any]:
    consult = context.get("consult")
    user = _user(context)
    if consult is None or not permissions.can_view_case(user, consult):
        return {"consult": consult, "visible": False}
    outcome = outcomes.latest_outcome(consult)
    can_record = consult.state == State.DELIVERED and permissions.can_record_outcome(user, consult)
    return {
        "visible": outcome is not None or can_record,
        "consult": consult,
        "outcome": outcome,
        "can_record": can_record,
        "due": outcomes.is_due(consult),
        "adoptions": Adoption.choices,
        "outcome_error": context.get("outcome_error", ""),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("consults/notifications_badge.html", takes_context=True)
def notifications_badge(context: template.Context) -> dict[str, Any]:
    user = _user(context)
    if user is None or not getattr(user, "is_authenticated", False):
        return {"count": 0}
    return {"count": Notification.objects.filter(user=user, read_at=None).count()}
