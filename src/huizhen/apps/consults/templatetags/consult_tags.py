"""Template tags for consultations: one way for every queue to show a deadline and make overdue stand out.

``{% load consult_tags %}`` then ``{% deadline_badge consult %}`` renders the due date
in the node's time zone, a red "Overdue" badge (class ``deadline-overdue``) when
:func:`huizhen.apps.consults.deadlines.is_overdue` says so, or "Paused" while the
referring physician is asked for information. ``{{ consult|overdue_class }}`` gives
``"overdue"`` or ``""`` for a table row's class.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from huizhen.apps.consults import deadlines

register = template.Library()


def _overdue(consult: Any) -> bool:
    known = getattr(consult, "overdue", None)
    return bool(known) if known is not None else deadlines.is_overdue(consult)


@register.simple_tag
def deadline_badge(consult: Any) -> SafeString:
    if consult is None or consult.due_at is None:
        return format_html('<span class="muted deadline-none">{}</span>', _("no deadline"))
    due = timezone.localtime(consult.due_at, deadlines.node_zone())
    when = due.strftime("%Y-%m-%d %H:%M")
    if _overdue(consult):
        return format_html(
            '<span class="badge badge-danger deadline-overdue" data-testid="overdue">{}</span> '
            '<time datetime="{}" class="deadline">{}</time>',
            _("Overdue"),
            consult.due_at.isoformat(),
            when,
        )
    if consult.paused_at is not None:
        return format_html(
            '<span class="badge badge-warning deadline-paused">{}</span> '
            '<time datetime="{}" class="deadline">{}</time>',
            _("Paused"),
            consult.due_at.isoformat(),
            when,
        )
    return format_html(
        '<span class="deadline-due">{}</span> <time datetime="{}" class="deadline">{}</time>',
        _("Due"),
        consult.due_at.isoformat(),
        when,
    )


@register.filter
def overdue_class(consult: Any) -> str:
    return "overdue" if consult is not None and _overdue(consult) else ""
