"""The employee's pages: my requests, a new request, a request's page with
its live progress, messages and withdrawal. Only the subject ever sees a
request here; anyone else gets 404."""

from __future__ import annotations

from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.governance.views.access import object_rule
from apps.people.selectors import employee_for_user
from apps.rights.forms import ALL, CHOSEN, MessageForm, RequestForm, WithdrawForm
from apps.rights.lifecycle import WITHDRAWABLE
from apps.rights.models import Request, RequestKind
from apps.rights.selectors import request_for_subject, requests_for_subject
from apps.rights.services.lifecycle import (
    RequestRefused,
    message_post,
    request_file,
    request_withdraw,
)
from apps.rights.services.scope import covered_datasets
from apps.rights.views.display import clock_of, progress_of
from apps.rights.views.downloads import export_link
from apps.rights.views.reauth import ask_to_sign_in_again, signed_in_recently


@require_GET
@never_cache
@login_required
@object_rule("anyone signed in: their own requests only")
def my_requests(request: HttpRequest) -> HttpResponse:
    employee = employee_for_user(user=request.user)
    if employee is None:
        return render(request, "people/no_employee.html")
    rows = [(r, clock_of(r)) for r in requests_for_subject(user=request.user)]
    return render(request, "rights/my_requests.html", {"rows": rows})


def _initial(request: HttpRequest, datasets) -> dict:
    """Preselect the type and scope from the page the employee came from:
    ?kind=erasure&dataset=keystrokes, or &program=endpoint."""
    initial: dict = {"scope": ALL, "kind": RequestKind.ACCESS}
    if request.GET.get("kind") in RequestKind.values:
        initial["kind"] = request.GET["kind"]
    keys = set(request.GET.getlist("dataset"))
    programs = set(request.GET.getlist("program"))
    chosen = [d for d in datasets if d.key in keys or d.program.key in programs]
    if chosen:
        initial.update(scope=CHOSEN, datasets=chosen)
    return initial


def _form_url(kind: str, datasets) -> str:
    query = [("kind", kind)] + [("dataset", d.key) for d in datasets]
    return f"{reverse('rights:request_new')}?{urlencode(query)}"


@require_http_methods(["GET", "POST"])
@never_cache
@login_required
@object_rule("anyone signed in with an employee record: for themselves only")
def request_new(request: HttpRequest) -> HttpResponse:
    employee = employee_for_user(user=request.user)
    if employee is None:
        return render(request, "people/no_employee.html")
    datasets = covered_datasets(employee=employee)
    form = RequestForm(
        request.POST or None, datasets=datasets, initial=_initial(request, datasets)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = list(data["datasets"]) if data["scope"] == CHOSEN else []
        if data["kind"] == RequestKind.ERASURE and not signed_in_recently(request):
            return ask_to_sign_in_again(request, _form_url(data["kind"], chosen))
        try:
            filed = request_file(
                subject=employee,
                kind=data["kind"],
                filed_by=request.user,
                all_programs=data["scope"] == ALL,
                datasets=chosen,
                text=data["text"],
                details=data["details"],
            )
        except RequestRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Your request is filed. We will keep you posted here and by e-mail."),
            )
            return redirect("rights:request_detail", public_id=filed.public_id)
    return render(
        request, "rights/request_new.html", {"form": form, "covered": datasets}
    )


def _own_or_404(request: HttpRequest, public_id: UUID) -> Request:
    found = request_for_subject(user=request.user, public_id=public_id)
    if found is None:
        raise Http404
    return found


@require_GET
@never_cache
@login_required
@object_rule("the request's employee")
def request_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    req = _own_or_404(request, public_id)
    context = {
        "req": req,
        "clock": clock_of(req),
        "progress": progress_of(req),
        "thread": req.messages.select_related("author"),
        "message_form": MessageForm(),
        "withdraw_form": WithdrawForm(),
        "may_withdraw": req.status in WITHDRAWABLE,
        "download": export_link(req),
        "certificate": getattr(req, "certificate", None),
        "restrictions": req.restrictions.select_related("dataset"),
        "objection": getattr(req, "objection_decision", None),
        "splits": req.splits.all(),
    }
    return render(request, "rights/request_detail.html", context)


@require_GET
@never_cache
@login_required
@object_rule("the request's employee")
def request_progress(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The progress fragment the request page polls while work goes on."""
    req = _own_or_404(request, public_id)
    context = {"req": req, "progress": progress_of(req), "download": export_link(req)}
    return render(request, "rights/_progress.html", context)


@require_POST
@login_required
@object_rule("the request's employee")
def request_message(request: HttpRequest, public_id: UUID) -> HttpResponse:
    req = _own_or_404(request, public_id)
    form = MessageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a message first."))
        return redirect("rights:request_detail", public_id=public_id)
    try:
        message_post(request=req, author=request.user, body=form.cleaned_data["body"])
    except RequestRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Message sent to the privacy team."))
    return redirect("rights:request_detail", public_id=public_id)


@require_POST
@login_required
@object_rule("the request's employee, while nothing has run")
def request_withdraw_view(request: HttpRequest, public_id: UUID) -> HttpResponse:
    req = _own_or_404(request, public_id)
    form = WithdrawForm(request.POST)
    form.is_valid()
    try:
        request_withdraw(
            request=req, user=request.user, reason=form.cleaned_data.get("reason", "")
        )
    except RequestRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your request is withdrawn. Nothing was done."))
    return redirect("rights:request_detail", public_id=public_id)
