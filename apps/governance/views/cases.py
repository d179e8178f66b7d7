"""Cases: an officer's list and form, the case page, the DPO's queue."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts.stepup import staff_step_up_required
from apps.accounts.stepup_rules import case_approval
from apps.governance.forms import CaseForm, ReasonForm, RequiredReasonForm
from apps.governance.selectors.cases import (
    case_for_decider,
    case_for_viewer,
    cases_for_requester,
    decision_queue,
)
from apps.governance.services.cases import (
    case_approve,
    case_close,
    case_open,
    case_reject,
)
from apps.governance.views.access import capability_required, object_rule


@require_GET
@login_required
@capability_required("governance.open_case")
def case_list(request: HttpRequest) -> HttpResponse:
    cases = cases_for_requester(user=request.user)
    return render(request, "governance/case_list.html", {"cases": cases})


@require_http_methods(["GET", "POST"])
@login_required
@capability_required("governance.open_case")
def case_new(request: HttpRequest) -> HttpResponse:
    form = CaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = case_open(requester=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Case opened; a DPO will decide it."))
            return redirect("governance:case_detail", pk=case.pk)
    return render(request, "governance/case_form.html", {"form": form})


@require_GET
@login_required
@object_rule("its requester (while in a role that opens cases), or a DPO")
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_for_viewer(user=request.user, pk=pk)
    if case is None:
        raise Http404
    context = {
        "case": case,
        "datasets": case.datasets.order_by("name"),
        "may_decide": case_for_decider(user=request.user, pk=pk) is not None
        and case.status == "requested",
        "may_close": case.status in ("requested", "approved"),
    }
    return render(request, "governance/case_detail.html", context)


@require_POST
@login_required
@object_rule("its requester, or a DPO")
def case_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_for_viewer(user=request.user, pk=pk)
    if case is None:
        raise Http404
    form = RequiredReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the case is closed."))
        return redirect("governance:case_detail", pk=pk)
    try:
        case_close(
            case=case, closed_by=request.user, reason=form.cleaned_data["reason"]
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _error(exc))
    else:
        messages.success(request, _("Case closed; its access has stopped."))
    return redirect("governance:case_detail", pk=pk)


@require_GET
@login_required
@capability_required("governance.decide_case")
def case_queue(request: HttpRequest) -> HttpResponse:
    context = {"cases": decision_queue(user=request.user)}
    return render(request, "governance/case_queue.html", context)


@require_POST
@login_required
@object_rule("a DPO who did not open the case")
@staff_step_up_required(back="governance:case_queue", only_if=case_approval)
def case_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    case = case_for_decider(user=request.user, pk=pk)
    if case is None:
        raise Http404
    form = ReasonForm(request.POST)
    form.is_valid()
    reason = form.cleaned_data.get("reason", "")
    try:
        if decision == "approve":
            case_approve(case=case, approver=request.user, reason=reason)
            messages.success(request, _("Case approved."))
        else:
            case_reject(case=case, approver=request.user, reason=reason)
            messages.success(request, _("Case rejected."))
    except ValidationError as exc:
        messages.error(request, _error(exc))
    return redirect("governance:case_queue")


def _error(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)
