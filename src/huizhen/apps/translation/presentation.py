"""How a translation task is shown: glossary terms marked in the text, and what the viewer may do.

Glossary terms are marked with ``<mark class="glossary-term">`` and carry the preferred
term in the other language as a tooltip, so translator and verifier see at a glance
which terms the glossary fixes (issue 6 item 5a). Everything else is escaped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from huizhen.apps.accounts import permissions
from huizhen.apps.translation import services
from huizhen.apps.translation.models import TranslationTask
from huizhen.apps.translation.provenance import machine_label, needs_verification_label, provenance_line
from huizhen.apps.translation.workflow import Event, allowed


def highlight_terms(text: str, *, lang: str, other_lang: str) -> SafeString:
    """``text`` escaped, with each glossary term wrapped in a mark titled with its translation."""
    parts: list[str] = []
    position = 0
    for hit in sorted(services.glossary().terms_in(text, lang=lang), key=lambda hit: hit.start):
        if hit.start < position:
            continue  # overlapping hits: the first (longest, per the glossary) wins
        parts.append(escape(text[position : hit.start]))
        parts.append(
            format_html(
                '<mark class="glossary-term" title="{}" data-term="{}">{}</mark>',
                hit.target(other_lang),
                hit.target(other_lang),
                text[hit.start : hit.end],
            )
        )
        position = hit.end
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))  # noqa: S308 - every part above is escaped or format_html


@dataclass(frozen=True)
class TaskView:
    task: TranslationTask
    source_html: SafeString
    translation_html: SafeString
    provenance_line: str
    machine_label: str
    can_claim: bool
    can_edit: bool
    can_verify: bool
    can_download: bool


def task_view(task: TranslationTask, *, user: Any) -> TaskView:
    provenance = task.provenance
    verifier = permissions.can_verify_translation(user, task)
    translator = permissions.can_translate(user, task)
    return TaskView(
        task=task,
        source_html=highlight_terms(task.source_text, lang=task.source_lang, other_lang=task.target_lang),
        translation_html=highlight_terms(task.translation_text, lang=task.target_lang, other_lang=task.source_lang),
        provenance_line=provenance_line(provenance),
        machine_label=machine_label(provenance) if provenance and needs_verification_label(provenance) else "",
        can_claim=translator and allowed(task.status, Event.CLAIM),
        can_edit=translator and task.translator_id == user.pk and allowed(task.status, Event.SAVE),
        can_verify=verifier and allowed(task.status, Event.VERIFY),
        can_download=bool(task.translation_text),
    )
