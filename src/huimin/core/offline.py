"""The server side of a form that works offline (static/huimin/js/offline-queue.js): one way to answer a submission
for every business. The queue sends ``Accept: application/json`` and reads the status — 201 received, 200 already
received (core.idempotency), 409 conflict (kept until the person decides), 400 refused; a page submitted online
gets the same outcome as a message and a redirect."""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect

from huimin.core import idempotency
from huimin.core.access import AccessError, BusinessRuleError, NotInScope, show_refusal
from huimin.core.services import ServiceError


class EditConflict(BusinessRuleError):
    """Someone changed the record after the form was loaded; ``latest`` is what they made. The submission is held
    until the person chooses 仍然提交 (the form's ``confirm_conflict``) or discards it."""

    def __init__(self, code: str, message: str, latest):
        self.latest = latest
        super().__init__(code, message)


def wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def answer(request, write: Callable[[], object], received_text: Callable[[object], str], back: str) -> HttpResponse:
    """Run ``write`` (the service call; it raises to refuse) and answer the queue (JSON) or the page (a message
    and a redirect to ``back``)."""
    json = wants_json(request)
    try:
        made = write()
    except idempotency.AlreadyReceived as exc:
        if json:
            return JsonResponse({"status": "already_received", "message": str(exc), "object": exc.object_id})
        messages.info(request, str(exc))
    except EditConflict as exc:
        if json:
            return JsonResponse({"status": "conflict", "code": exc.code, "message": str(exc),
                                 "latest": exc.latest.pk}, status=409)  # fmt: skip
        show_refusal(request, exc)
    except (AccessError, ServiceError) as exc:
        if json:  # the queue keeps the record as refused (the page itself answers 404/403 as usual)
            status = 404 if isinstance(exc, NotInScope) else 403 if not isinstance(exc, ServiceError) else 400
            return JsonResponse({"status": "refused", "code": getattr(exc, "code", "refused"), "message": str(exc)},
                                status=status)  # fmt: skip
        if not isinstance(exc, ServiceError):
            raise
        show_refusal(request, exc)
    else:
        text = received_text(made)
        if json:
            return JsonResponse({"status": "received", "message": text, "object": made.pk}, status=201)
        messages.success(request, text)
    return redirect(back)
