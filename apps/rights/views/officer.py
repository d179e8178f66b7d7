"""The privacy team's pages: the queue, a request's page with its
execution log, and the decisions. Officers only (governance.handle_requests);
everyone else gets 404. A step the service refuses changes nothing and the
page says why."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.stepup import staff_step_up_required
from apps.accounts.stepup_rules import erasure_approval, officer_request_page
from apps.governance.views.access import capability_required
from apps.rights.forms import (
    MessageForm,
    ObjectionForm,
    OptionalReasonForm,
    QuestionForm,
    QueueFilterForm,
    ReasonForm,
    SplitForm,
)
from apps.rights.lifecycle import OPEN, RequestStatus
from apps.rights.models import JobStatus, Request, RequestKind
from apps.rights.selectors import (
    HANDLE_REQUESTS,
    job_for_officer,
    officer_queue,
    request_for_officer,
    restrictions_for_officer,
)
from apps.rights.services import lifecycle, special
from apps.rights.services.lifecycle import COMPLAINT_NOTICE, RequestRefused
from apps.rights.services.scope import ScopeError, scope_datasets
from apps.rights.views.display import clock_of, progress_of
from apps.rights.views.downloads import export_link

S = RequestStatus
DECIDABLE = frozenset({S.SUBMITTED, S.IDENTITY_CONFIRMED, S.AWAITING_APPROVAL})


@require_GET
@never_cache
@login_required
@capability_required(HANDLE_REQUESTS)
def queue(request: HttpRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET or None)
    requests = officer_queue(user=request.user, **form.filters())
    counts = dict(
        Request.objects.values_list("status").annotate(n=Count("pk")).order_by()
    )
    context = {
        "form": form,
        "rows": [(r, clock_of(r)) for r in requests],
        "counts": [(s, _label(s), counts.get(s.value, 0)) for s in S],
        "open_count": sum(n for s, n in counts.items() if s in OPEN),
    }
    return render(request, "rights/officer_queue.html", context)


def _label(status: S) -> str:
    """Status words from the team's side ("Waiting for you" is the employee's)."""
    if status == S.AWAITING_SUBJECT:
        return _("Waiting for the employee")
    return status.label


def _load(request: HttpRequest, public_id: UUID) -> Request:
    found = request_for_officer(user=request.user, public_id=public_id)
    if found is None:
        raise Http404
    return found


def _scope(req: Request) -> list:
    try:
        return scope_datasets(
            employee=req.subject,
            all_programs=req.all_programs,
            programs=req.programs.all(),
            datasets=req.datasets.all(),
        )
    except ScopeError:
        return []


@require_GET
@never_cache
@login_required
@capability_required(HANDLE_REQUESTS)
def request_page(request: HttpRequest, public_id: UUID) -> HttpResponse:
    req = _load(request, public_id)
    scope = _scope(req)
    context = {
        "req": req,
        "clock": clock_of(req),
        "progress": progress_of(req),
        "scope": scope,
        "transitions": req.transitions.select_related("actor"),
        "thread": req.messages.select_related("author"),
        "restrictions": restrictions_for_officer(user=request.user, request=req),
        "objection": getattr(req, "objection_decision", None),
        "certificate": getattr(req, "certificate", None),
        "export": getattr(req, "export", None),
        "download": export_link(req),
        "complaint_notice": COMPLAINT_NOTICE,
        "may_confirm": req.status == S.SUBMITTED,
        # An objection is approved by deciding it (the balancing below).
        "may_approve": req.status == S.AWAITING_APPROVAL
        and req.kind != RequestKind.OBJECTION,
        "may_refuse": req.status in DECIDABLE | {S.AWAITING_SUBJECT},
        "may_ask": req.status in DECIDABLE,
        "may_extend": req.status in OPEN and not req.extended_days,
        "may_split": req.status in {S.IDENTITY_CONFIRMED, S.AWAITING_APPROVAL}
        and len(scope) > 1,
        "may_decide_objection": req.kind == RequestKind.OBJECTION
        and req.status == S.AWAITING_APPROVAL,
        "now": timezone.now(),
        "forms": {
            "reason": ReasonForm(),
            "note": OptionalReasonForm(),
            "question": QuestionForm(),
            "message": MessageForm(),
            "split": SplitForm(datasets=scope),
            "objection": ObjectionForm(),
        },
        "failed": JobStatus.FAILED,
        "manual": JobStatus.MANUAL,
    }
    return render(request, "rights/officer_request.html", context)


def _act(
    request: HttpRequest,
    public_id: UUID,
    form_class: type,
    step: Callable[[Request, dict], object],
    done: str,
) -> HttpResponse:
    """Validate the form, take the step, say what happened; back to the page."""
    req = _load(request, public_id)
    form = form_class(request.POST, request.FILES)
    if not form.is_valid():
        errors = [e for field in form.errors.values() for e in field]
        messages.error(request, " ".join(errors))
        return redirect("rights:officer_request", public_id=public_id)
    try:
        step(req, form.cleaned_data)
    except (RequestRefused, ValidationError) as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, done)
    return redirect("rights:officer_request", public_id=public_id)


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def _post_view(form_class: type, step: Callable, done: str) -> Callable:
    """One officer action: POST only, officers only, on a request."""

    @require_POST
    @login_required
    @capability_required(HANDLE_REQUESTS)
    def view(request: HttpRequest, public_id: UUID) -> HttpResponse:
        return _act(
            request,
            public_id,
            form_class,
            lambda req, data: step(request.user, req, data),
            done,
        )

    return view


confirm_identity = _post_view(
    ReasonForm,
    lambda user, req, d: lifecycle.request_confirm_identity(
        request=req, officer=user, reason=d["reason"]
    ),
    _("Identity confirmed."),
)
approve = staff_step_up_required(back=officer_request_page, only_if=erasure_approval)(
    _post_view(
        OptionalReasonForm,
        lambda user, req, d: lifecycle.request_approve(
            request=req, officer=user, reason=d["reason"]
        ),
        _("Approved: the work has started."),
    )
)
refuse = _post_view(
    ReasonForm,
    lambda user, req, d: lifecycle.request_refuse(
        request=req, officer=user, reason=d["reason"]
    ),
    _("Refused; the employee is told why and of their right to complain."),
)
ask = _post_view(
    QuestionForm,
    lambda user, req, d: lifecycle.request_ask_subject(
        request=req, officer=user, question=d["question"]
    ),
    _("Question sent; the clock stops until the employee answers."),
)
extend = _post_view(
    ReasonForm,
    lambda user, req, d: lifecycle.request_extend(
        request=req, officer=user, reason=d["reason"]
    ),
    _("Deadline extended; the employee is told why."),
)
message = _post_view(
    MessageForm,
    lambda user, req, d: lifecycle.message_post(
        request=req, author=user, body=d["body"]
    ),
    _("Message sent to the employee."),
)


@require_POST
@login_required
@capability_required(HANDLE_REQUESTS)
def split(request: HttpRequest, public_id: UUID) -> HttpResponse:
    req = _load(request, public_id)
    form = SplitForm(request.POST, datasets=_scope(req))
    if not form.is_valid():
        messages.error(request, _("Choose the datasets to split off and say why."))
        return redirect("rights:officer_request", public_id=public_id)
    try:
        part = lifecycle.request_split(
            request=req,
            officer=request.user,
            datasets=form.cleaned_data["datasets"],
            reason=form.cleaned_data.get("reason", ""),
        )
    except RequestRefused as exc:
        messages.error(request, str(exc))
        return redirect("rights:officer_request", public_id=public_id)
    messages.success(request, _("Split: this is the new request."))
    return redirect("rights:officer_request", public_id=part.public_id)


def _objection(user, req: Request, data: dict) -> None:
    special.objection_decide(
        request=req, officer=user, upheld=data["upheld"], reasoning=data["reasoning"]
    )


decide_objection = _post_view(
    ObjectionForm, _objection, _("Decision recorded; the employee is told.")
)


def _job_view(action: str) -> Callable:
    """Retry or give up a failed job of the request."""

    @require_POST
    @login_required
    @capability_required(HANDLE_REQUESTS)
    def view(request: HttpRequest, public_id: UUID, job_id: int) -> HttpResponse:
        job = job_for_officer(user=request.user, pk=job_id)
        if job is None or job.request.public_id != public_id:
            raise Http404
        form = OptionalReasonForm(request.POST)
        form.is_valid()
        reason = form.cleaned_data.get("reason", "")
        try:
            if action == "retry":
                special.job_retry(job=job, officer=request.user)
                messages.success(request, _("The job will run again shortly."))
            else:
                special.job_abandon(job=job, officer=request.user, reason=reason)
                messages.success(request, _("The job is given up; the reason is kept."))
        except (RequestRefused, ValidationError) as exc:
            messages.error(request, _message(exc))
        return redirect("rights:officer_request", public_id=public_id)

    return view


job_retry = _job_view("retry")
job_abandon = _job_view("abandon")


@require_POST
@login_required
@capability_required(HANDLE_REQUESTS)
def restriction_lift(
    request: HttpRequest, public_id: UUID, restriction_id: int
) -> HttpResponse:
    req = _load(request, public_id)
    found = [
        r
        for r in restrictions_for_officer(user=request.user, request=req)
        if r.pk == restriction_id
    ]
    if not found:
        raise Http404
    restriction = found[0]
    form = OptionalReasonForm(request.POST)
    form.is_valid()
    try:
        # Two steps (Art. 18(3)): the first tells the employee, a later one lifts.
        restriction = special.restriction_lift(
            restriction=restriction,
            officer=request.user,
            reason=form.cleaned_data.get("reason", ""),
        )
    except (RequestRefused, ValidationError) as exc:
        messages.error(request, _message(exc))
    else:
        if restriction.lifted_at:
            messages.success(request, _("The restriction is lifted."))
        else:
            messages.success(
                request,
                _("The employee is told; the restriction can be lifted from %(when)s.")
                % {"when": restriction.lift_after.strftime("%d %B %Y, %H:%M")},
            )
    return redirect("rights:officer_request", public_id=public_id)
