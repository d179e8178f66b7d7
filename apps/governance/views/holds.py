"""Legal holds: the officers' list, placing one, releasing one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.governance.forms import LegalHoldForm, RequiredReasonForm
from apps.governance.permissions import has_capability
from apps.governance.selectors.holds import hold_for_manager, holds_for_officer
from apps.governance.services.holds import legal_hold_place, legal_hold_release
from apps.governance.views.access import capability_required


@require_GET
@login_required
@capability_required("governance.view_legal_holds")
def hold_list(request: HttpRequest) -> HttpResponse:
    context = {
        "holds": holds_for_officer(user=request.user),
        "may_manage": has_capability(
            user=request.user, perm="governance.manage_legal_holds"
        ),
    }
    return render(request, "governance/hold_list.html", context)


@require_http_methods(["GET", "POST"])
@login_required
@capability_required("governance.manage_legal_holds")
def hold_new(request: HttpRequest) -> HttpResponse:
    form = LegalHoldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            legal_hold_place(placed_by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Legal hold placed."))
            return redirect("governance:hold_list")
    return render(request, "governance/hold_form.html", {"form": form})


@require_POST
@login_required
@capability_required("governance.manage_legal_holds")
def hold_release(request: HttpRequest, pk: int) -> HttpResponse:
    hold = hold_for_manager(user=request.user, pk=pk)
    if hold is None:
        raise Http404
    form = RequiredReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the hold is released."))
        return redirect("governance:hold_list")
    try:
        legal_hold_release(
            hold=hold, released_by=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Legal hold released."))
    return redirect("governance:hold_list")
