"""Writing translation tasks: request, machine draft, claim, edit, submit, verify, reject.

Each function takes keyword arguments, moves the task through
:mod:`huizhen.apps.translation.workflow` under a row lock and writes one
``translation.*`` audit entry in the same transaction, so no step exists without its
trail. Audit details carry statuses, engines and lengths, never the text: clinical
text may still identify a patient.

:func:`request_translation` asks :func:`huizhen.translate.configured_engine` whether
this node has a machine-translation engine (``settings.HUIZHEN_TRANSLATION``). With one,
the task waits in the queue while :func:`huizhen.apps.translation.tasks.machine_translate`
produces the draft in the background; without one, it simply stays queued for a human
translator (issue 6 item 5b). Should the engine fail for good, the task is still
queued, so a person can always take over.

The four-eyes rule (the verifier is never the translator) is checked here as well as
in :mod:`huizhen.apps.accounts.permissions` and by a database constraint.
"""

from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huizhen.apps.accounts import permissions
from huizhen.apps.audit.services import record_event
from huizhen.apps.translation.models import Language, TranslationTask
from huizhen.apps.translation.workflow import Event, TransitionRefused, advance, allowed
from huizhen.translate import Glossary, TranslationEngine, configured_engine, load_glossary, translate

MAX_TEXT_CHARS = 100_000


@functools.cache
def glossary() -> Glossary:
    """The shipped bilingual glossary, loaded once per process: it is a file in the package."""
    return load_glossary()


def translation_engine() -> TranslationEngine | None:
    """The engine this node is configured with, or None: texts then go to human translators."""
    return configured_engine(settings.HUIZHEN_TRANSLATION)


def request_translation(
    *, text: str, source: str, target: str, subject: str, case_ref: str = "", by: Any
) -> TranslationTask:
    """Create a task; with an engine configured its machine draft is produced in the background."""
    text = text.strip()
    if not text:
        raise ValueError("there is no text to translate")
    if len(text) > MAX_TEXT_CHARS:
        raise ValueError(f"a text to translate is at most {MAX_TEXT_CHARS} characters")
    if source not in Language.values or target not in Language.values or source == target:
        raise ValueError(f"cannot translate from {source!r} to {target!r}")
    if not subject.strip():
        raise ValueError("a translation task needs a subject")
    engine = translation_engine()
    with transaction.atomic():
        task = TranslationTask.objects.create(
            source_text=text,
            source_lang=source,
            target_lang=target,
            subject=subject.strip()[:200],
            case_ref=case_ref.strip()[:128],
            requested_by=by if getattr(by, "is_authenticated", False) else None,
            machine_engine=engine.name[:100] if engine else "",
            machine_model=(engine.model or "")[:200] if engine else "",
        )
        record_event(
            action="translation.requested",
            actor=by,
            target=task.target,
            detail={
                "source": source,
                "target": target,
                "case_ref": task.case_ref,
                "chars": len(text),
                "route": "machine" if engine else "human",
                "engine": engine.name if engine else None,
            },
        )
        if engine is not None:
            from huizhen.apps.translation.tasks import machine_translate

            task_id = task.pk
            # After commit: a worker must find the row the task refers to.
            transaction.on_commit(lambda: machine_translate.enqueue(task_id=task_id))
    return task


def store_machine_draft(*, task_id: int) -> TranslationTask:
    """Run the configured engine on a queued task and keep its draft (the background task's body).

    The engine is called before the row is locked, since it may be a slow network
    service. A task a translator has meanwhile claimed keeps the human's work and the
    draft is dropped. An engine error propagates so that the task is retried.
    """
    task = TranslationTask.objects.get(pk=task_id)
    if not allowed(task.status, Event.MACHINE_DRAFT):
        return _machine_draft_skipped(task, reason="status")
    engine = translation_engine()
    result = (
        translate(
            task.source_text, source=task.source_lang, target=task.target_lang, engine=engine, glossary=glossary()
        )
        if engine is not None
        else None
    )
    if result is None:
        return _machine_draft_skipped(task, reason="no_engine")
    with transaction.atomic():
        task = TranslationTask.objects.select_for_update().get(pk=task_id)
        if not allowed(task.status, Event.MACHINE_DRAFT):
            return _machine_draft_skipped(task, reason="status")
        previous = task.status
        task.status = advance(task.status, Event.MACHINE_DRAFT)
        task.machine_method = result.provenance.method
        task.machine_text = result.text
        task.machine_engine = (result.provenance.engine or (engine.name if engine else ""))[:100]
        task.machine_model = (result.provenance.model or "")[:200]
        task.machine_at = timezone.now()
        task.save()
        _audit(
            task,
            event=Event.MACHINE_DRAFT,
            previous=previous,
            by=None,
            method=task.machine_method,
            engine=task.machine_engine,
            model=task.machine_model,
            glossary_terms=len(result.glossary_terms),
            chars=len(result.text),
        )
    return task


def claim_task(*, task: TranslationTask, by: Any) -> TranslationTask:
    """A translator takes a queued, machine-drafted or returned task; a draft becomes the starting text."""
    with transaction.atomic():
        task = _locked(task)
        if not permissions.can_translate(by, task):
            raise TransitionRefused(_("Only a translator can claim this task, and only if nobody else has."))
        previous = task.status
        task.status = advance(task.status, Event.CLAIM)
        task.translator = by
        if not task.human_text and task.machine_text:
            task.human_text = task.machine_text
        task.save()
        _audit(task, event=Event.CLAIM, previous=previous, by=by)
    return task


def save_translation(*, task: TranslationTask, text: str, by: Any) -> TranslationTask:
    """The translator's current text; saving again replaces it."""
    with transaction.atomic():
        task = _locked(task)
        _require_translator(task, by)
        previous = task.status
        task.status = advance(task.status, Event.SAVE)
        task.human_text = text.strip()[:MAX_TEXT_CHARS]
        task.save()
        _audit(
            task,
            event=Event.SAVE,
            previous=previous,
            by=by,
            chars=len(task.human_text),
            same_as_machine=bool(task.machine_text) and task.human_text == task.machine_text,
        )
    return task


def submit_for_verification(*, task: TranslationTask, by: Any) -> TranslationTask:
    with transaction.atomic():
        task = _locked(task)
        _require_translator(task, by)
        if not task.human_text.strip():
            raise TransitionRefused(_("There is no translation to submit yet."))
        previous = task.status
        task.status = advance(task.status, Event.SUBMIT)
        task.submitted_at = timezone.now()
        task.save()
        _audit(task, event=Event.SUBMIT, previous=previous, by=by)
    return task


def verify(*, task: TranslationTask, by: Any) -> TranslationTask:
    """A clinician (never the translator) approves the submitted translation; it is final."""
    with transaction.atomic():
        task = _locked(task)
        _require_verifier(task, by)
        previous = task.status
        task.status = advance(task.status, Event.VERIFY)
        task.verified_by = by
        task.verified_at = timezone.now()
        task.review_comment = ""
        task.full_clean()
        task.save()
        _audit(task, event=Event.VERIFY, previous=previous, by=by)
    return task


def reject(*, task: TranslationTask, by: Any, comment: str) -> TranslationTask:
    """A clinician returns the translation to its translator, saying what is wrong."""
    comment = comment.strip()
    if not comment:
        raise TransitionRefused(_("Say what needs to change when returning a translation."))
    with transaction.atomic():
        task = _locked(task)
        _require_verifier(task, by)
        previous = task.status
        task.status = advance(task.status, Event.REJECT)
        task.review_comment = comment[:4000]
        task.save()
        _audit(task, event=Event.REJECT, previous=previous, by=by, comment_chars=len(comment))
    return task


def _locked(task: TranslationTask) -> TranslationTask:
    return TranslationTask.objects.select_for_update().get(pk=task.pk)


def _require_translator(task: TranslationTask, by: Any) -> None:
    if task.translator_id is None or task.translator_id != getattr(by, "pk", None):
        raise TransitionRefused(_("Only the translator who claimed this task can change its translation."))


def _require_verifier(task: TranslationTask, by: Any) -> None:
    if getattr(by, "pk", None) == task.translator_id:
        raise TransitionRefused(_("A translation cannot be verified by its own translator."))
    if not permissions.can_verify_translation(by, task):
        raise TransitionRefused(
            _("Only a referring physician, consulting specialist or program director can verify a translation.")
        )


def _audit(task: TranslationTask, *, event: Event, previous: str, by: Any, **detail: Any) -> None:
    record_event(
        action=f"translation.{_ACTIONS[event]}",
        actor=by,
        target=task.target,
        detail={"from": previous, "to": task.status, "case_ref": task.case_ref, **detail},
    )


def _machine_draft_skipped(task: TranslationTask, *, reason: str) -> TranslationTask:
    record_event(
        action="translation.machine_draft_skipped",
        target=task.target,
        detail={"status": task.status, "reason": reason},
    )
    return task


_ACTIONS: dict[Event, str] = {
    Event.MACHINE_DRAFT: "machine_draft",
    Event.CLAIM: "claimed",
    Event.SAVE: "saved",
    Event.SUBMIT: "submitted",
    Event.VERIFY: "verified",
    Event.REJECT: "rejected",
}
