"""E-mails about requests: each event is a template triple under
templates/rights/emails/ (<event>_subject.txt, <event>.txt, <event>.html).

The employee hears of every step that matters to them; officers hear of new
work and of deadlines. Sent after the transaction commits, so a rolled-back
step sends nothing. The notices of a new request are rendered and sent by a
worker (send_request_notices), after the request's own jobs: filing is a
web request, and rendering six templates and querying the officers is no
part of it.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from apps.people.models import User

# Events the employee is told of, and those the officers are.
SUBJECT_EVENTS = frozenset(
    {
        "received",
        "needs_information",
        "extended",
        "refused",
        "withdrawn",
        "completed",
        "message_from_team",
        "restriction_lifting",
    }
)
OFFICER_EVENTS = frozenset(
    {
        "new_request",
        "message_from_subject",
        "due_soon",
        "overdue",
        "job_failed",
        "manual_task",
    }
)


def officer_addresses() -> list[str]:
    """Every active privacy officer's address (the request-handling role)."""
    users = User.objects.filter(
        is_active=True,
        groups__permissions__codename="handle_requests",
        groups__permissions__content_type__app_label="governance",
    ).distinct()
    return sorted({u.email for u in users if u.email})


def render_and_send(event: str, context: dict, recipients: list[str]) -> int:
    """One message per recipient, text with an HTML alternative."""
    recipients = [r for r in recipients if r]
    if not recipients:
        return 0
    name = f"rights/emails/{event}"
    subject = " ".join(render_to_string(f"{name}_subject.txt", context).split())
    text = render_to_string(f"{name}.txt", context)
    html = render_to_string(f"{name}.html", context)
    sent = 0
    for address in recipients:
        message = EmailMultiAlternatives(
            subject, text, settings.DEFAULT_FROM_EMAIL, [address]
        )
        message.attach_alternative(html, "text/html")
        sent += message.send()
    return sent


def request_notify(*, request_id: int, event: str, extra: dict | None = None) -> int:
    """Send `event` about the request to whoever it concerns."""
    from apps.rights.models import Request

    request = Request.objects.select_related("subject").get(pk=request_id)
    context = {
        "request": request,
        "subject": request.subject,
        "site_url": settings.SITE_URL,
        "request_path": reverse("rights:request_detail", args=[request.public_id]),
        **(extra or {}),
    }
    if event in SUBJECT_EVENTS:
        return render_and_send(event, context, [request.subject.work_email])
    if event == "manual_task":
        # The named person may not be an officer: they get their task list;
        # officers get the request page.
        sent = render_and_send(
            event,
            {**context, "request_path": reverse("rights:my_tasks")},
            [context.get("assignee", "")],
        )
        context["request_path"] = reverse(
            "rights:officer_request", args=[request.public_id]
        )
        others = [a for a in officer_addresses() if a != context.get("assignee")]
        return sent + render_and_send(event, context, others)
    if event in OFFICER_EVENTS:
        context["request_path"] = reverse(
            "rights:officer_request", args=[request.public_id]
        )
        return render_and_send(event, context, officer_addresses())
    raise ValueError(f"unknown request event {event!r}")


def request_notify_on_commit(
    *, request_id: int, event: str, extra: dict | None = None
) -> None:
    # robust: a mail server that is down must not turn a committed step (a
    # worker finishing a job, an officer's decision) into an error.
    def notify() -> None:
        request_notify(request_id=request_id, event=event, extra=extra)

    # A closure, not functools.partial: Django logs a robust callback's
    # failure by its __qualname__, which a partial lacks (the log call
    # itself would raise).
    transaction.on_commit(notify, robust=True)


@shared_task(ignore_result=True)
def send_request_notices(request_id: int, events: list[str]) -> int:
    """A worker sends `events` about the request; returns how many e-mails."""
    return sum(request_notify(request_id=request_id, event=e) for e in events)


def request_notify_by_worker_on_commit(*, request_id: int, events: list[str]) -> None:
    """Have a worker send `events` once the transaction commits: one message
    for all of them. robust, like request_notify_on_commit: a broker that is
    down loses the notice (as a mail server that is down would), never the
    committed step."""
    events = list(events)

    def send() -> None:
        send_request_notices.delay(request_id, events)

    transaction.on_commit(send, robust=True)
