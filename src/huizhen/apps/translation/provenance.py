"""Provenance of a translated text: built from a task, and worded for the reader in either language.

Every place a translation is shown (task page, PDF, later the opinion report) prints
the same line, "Translated by machine (engine, model), edited by X, verified by Y on
date", so a reader always knows whether a machine produced the words and whether a
clinician checked them (issue 6 item 5). The shape is the engine's
:class:`huizhen.translate.Provenance`; this module only fills and words it.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _

from huizhen.translate import Provenance

if TYPE_CHECKING:
    from huizhen.apps.translation.models import TranslationTask


def person_name(user: Any) -> str:
    """How a person is named in provenance: full name, else the user name."""
    if user is None:
        return ""
    return str(user.get_full_name() or user.get_username())


def _iso(moment: datetime) -> str:
    return (timezone.localtime(moment) if timezone.is_aware(moment) else moment).isoformat(timespec="seconds")


def task_provenance(task: TranslationTask) -> Provenance | None:
    """The provenance of the text a reader of ``task`` gets; None while there is no text yet.

    A draft from the engine (or the glossary) stays the method even after a translator
    edited it: the reader should know that a machine wrote the first version.
    """
    if not task.translation_text:
        return None
    translator = person_name(task.translator) if task.translator_id is not None and task.human_text else None
    method = (task.machine_method or "machine") if task.machine_text else "human"
    when = task.verified_at or task.submitted_at or task.machine_at or task.updated_at or timezone.now()
    return Provenance(
        method=method,
        engine=(task.machine_engine or None) if method == "machine" else None,
        model=(task.machine_model or None) if method == "machine" else None,
        translator=translator,
        verified_by=person_name(task.verified_by) if task.verified_by_id is not None else None,
        at=_iso(when),
        verified_at=_iso(task.verified_at) if task.verified_at else None,
    )


def engine_name(provenance: Provenance) -> str:
    return " ".join(part for part in (provenance.engine, provenance.model) if part) or _("unknown engine")


def needs_verification_label(provenance: Provenance | None) -> bool:
    """Machine text no clinician has verified yet must say so wherever it is shown."""
    return provenance is not None and provenance.method == "machine" and not provenance.verified_by


def machine_label(provenance: Provenance) -> str:
    """The warning a machine text carries until a clinician verified it."""
    return _("Machine translation — %(engine)s — not verified") % {"engine": engine_name(provenance)}


def provenance_line(provenance: Provenance | None) -> str:
    """One sentence saying who or what produced the text and who verified it, in the active language."""
    if provenance is None:
        return _("Not translated yet")
    if provenance.method == "machine":
        engine = ", ".join(part for part in (provenance.engine, provenance.model) if part) or _("unknown engine")
        made = _("Translated by machine (%(engine)s)") % {"engine": engine}
    elif provenance.method == "coded":
        made = _("Rendered from the coded value")
    elif provenance.method == "glossary":
        made = _("Rendered from the medical glossary")
    else:
        made = _("Translated by %(translator)s") % {"translator": provenance.translator}
    if provenance.translator and provenance.method != "human":
        made = _("%(made)s, edited by %(translator)s") % {"made": made, "translator": provenance.translator}
    if provenance.verified_by:
        return _("%(made)s, verified by %(verifier)s on %(date)s") % {
            "made": made,
            "verifier": provenance.verified_by,
            "date": (provenance.verified_at or provenance.at)[:10],
        }
    if provenance.method in ("coded", "glossary") and not provenance.translator:
        # Coded values and glossary entries are checked once, when the vocabulary is curated.
        return made
    return _("%(made)s; not verified") % {"made": made}
