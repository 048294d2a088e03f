"""The /translations/ pages: the queue, a task with source and translation side by side, and its PDF.

Views parse, ask :mod:`huizhen.apps.accounts.permissions`, call one service and
render. Every view of a task's text (page or PDF) is audited as ``record.viewed`` with
target ``translation:<id>``; state changes are audited by the services; refusals go
through :func:`permissions.deny`. A step the workflow does not allow now (someone was
quicker) is answered 409 with the task page and the reason.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from huizhen.apps.accounts import permissions
from huizhen.apps.audit.services import record_event
from huizhen.apps.translation import presentation, selectors, services
from huizhen.apps.translation.forms import EditForm, RejectForm, RequestForm
from huizhen.apps.translation.models import Status, TranslationTask
from huizhen.apps.translation.pdf import FontMissing, render_translation_pdf
from huizhen.apps.translation.workflow import TransitionRefused

QUEUE_LIMIT = 200


@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    _require(request, permissions.can_view_translations(request.user), "translation.queue", "translations")
    status = request.GET.get("status", selectors.MINE)
    if status not in Status.values:
        status = selectors.MINE
    record_event(
        action="record.viewed", actor=request.user, target="translations", detail={"status": status}, request=request
    )
    return render(request, "translation/queue.html", _queue_context(request, status=status, form=RequestForm()))


@require_POST
def request_translation(request: HttpRequest) -> HttpResponse:
    _require(request, permissions.can_request_translation(request.user), "translation.request", "translations")
    form = RequestForm(request.POST)
    if not form.is_valid():
        context = _queue_context(request, status=selectors.MINE, form=form)
        return render(request, "translation/queue.html", context, status=400)
    data = form.cleaned_data
    task = services.request_translation(
        text=data["text"],
        source=data["source_lang"],
        target=data["target_lang"],
        subject=data["subject"],
        case_ref=data["case_ref"],
        by=request.user,
    )
    return redirect("translation:task", task_id=task.pk)


@require_GET
def task_page(request: HttpRequest, task_id: int) -> HttpResponse:
    task = _viewable_task(request, task_id)
    _record_view(request, task, form="page")
    return _render_task(request, task)


@require_GET
def task_pdf(request: HttpRequest, task_id: int) -> HttpResponse:
    task = _viewable_task(request, task_id)
    provenance = task.provenance
    if provenance is None:
        raise Http404(_("This task has no translation yet."))
    try:
        document = render_translation_pdf(
            title=task.subject,
            source=task.source_text,
            translation=task.translation_text,
            provenance=provenance,
            lang=get_language() or "en",
        )
    except FontMissing as exc:
        return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
    _record_view(request, task, form="pdf")
    response = HttpResponse(document, content_type="application/pdf")
    state = "verified" if task.is_verified else "draft"
    response["Content-Disposition"] = f'inline; filename="translation-{task.pk}-{state}.pdf"'
    return response


@require_POST
def claim(request: HttpRequest, task_id: int) -> HttpResponse:
    task = _viewable_task(request, task_id)
    _require(request, permissions.can_translate(request.user, task), "translation.claim", task.target)
    return _step(request, task, lambda: services.claim_task(task=task, by=request.user))


@require_POST
def save(request: HttpRequest, task_id: int) -> HttpResponse:
    """Save the translator's text; with ``submit`` in the form, also send it for verification."""
    task = _viewable_task(request, task_id)
    _require(request, permissions.can_translate(request.user, task), "translation.save", task.target)
    form = EditForm(request.POST)
    if not form.is_valid():
        return _render_task(request, task, edit_form=form, status=400)

    def save_and_maybe_submit() -> TranslationTask:
        saved = services.save_translation(task=task, text=form.cleaned_data["text"], by=request.user)
        if "submit" in request.POST:
            saved = services.submit_for_verification(task=saved, by=request.user)
        return saved

    if request.headers.get("HX-Request") and "submit" not in request.POST:
        try:
            saved = save_and_maybe_submit()
        except TransitionRefused as exc:
            return render(request, "translation/_saved.html", {"error": str(exc)}, status=409)
        return render(request, "translation/_saved.html", {"task": saved})
    return _step(request, task, save_and_maybe_submit)


@require_POST
def verify(request: HttpRequest, task_id: int) -> HttpResponse:
    task = _viewable_task(request, task_id)
    _require(request, permissions.can_verify_translation(request.user, task), "translation.verify", task.target)
    return _step(request, task, lambda: services.verify(task=task, by=request.user))


@require_POST
def reject(request: HttpRequest, task_id: int) -> HttpResponse:
    task = _viewable_task(request, task_id)
    _require(request, permissions.can_verify_translation(request.user, task), "translation.reject", task.target)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _render_task(request, task, reject_form=form, status=400)
    return _step(
        request, task, lambda: services.reject(task=task, by=request.user, comment=form.cleaned_data["comment"])
    )


def _require(request: HttpRequest, allowed: bool, action: str, target: str) -> None:
    if not allowed:
        raise permissions.deny(user=request.user, action=action, target=target, request=request)


def _viewable_task(request: HttpRequest, task_id: int) -> TranslationTask:
    _require(request, permissions.can_view_translations(request.user), "translation.view", f"translation:{task_id}")
    task = selectors.task_by_id(task_id)
    if task is None:
        raise Http404(_("No such translation task."))
    return task


def _record_view(request: HttpRequest, task: TranslationTask, *, form: str) -> None:
    record_event(
        action="record.viewed",
        actor=request.user,
        target=task.target,
        detail={"form": form, "status": task.status, "case_ref": task.case_ref},
        request=request,
    )


def _step(request: HttpRequest, task: TranslationTask, step: Any) -> HttpResponse:
    try:
        step()
    except TransitionRefused as exc:
        fresh = selectors.task_by_id(task.pk) or task
        _record_view(request, fresh, form="page")
        return _render_task(request, fresh, error=str(exc), status=409)
    return redirect("translation:task", task_id=task.pk)


def _render_task(
    request: HttpRequest,
    task: TranslationTask,
    *,
    edit_form: EditForm | None = None,
    reject_form: RejectForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "view": presentation.task_view(task, user=request.user),
        "edit_form": edit_form or EditForm(initial={"text": task.human_text}),
        "reject_form": reject_form or RejectForm(),
        "error": error,
    }
    return render(request, "translation/task.html", context, status=status)


def _queue_context(request: HttpRequest, *, status: str, form: RequestForm) -> dict[str, Any]:
    return {
        "tasks": selectors.queue(user=request.user, status=status)[:QUEUE_LIMIT],
        "status_filter": status,
        "statuses": Status.choices,
        "mine": selectors.MINE,
        "can_request": permissions.can_request_translation(request.user),
        "form": form,
    }
