"""The employee's "My choices" pages and the consent-rates page."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from apps.catalog.models import LegalBasis, Program
from apps.consent.forms import GrantForm, WithdrawForm
from apps.consent.models import Channel, Notice
from apps.consent.selectors import (
    choices_page,
    consent_rates,
    consent_receipt,
    receipt_document,
)
from apps.consent.services import ConsentRefused, consent_grant, consent_withdraw
from apps.people.models import Employee
from apps.people.selectors import employee_for_user
from apps.security.downloads import content_disposition


@require_GET
@never_cache
@login_required
def my_choices(request: HttpRequest) -> HttpResponse:
    page = choices_page(user=request.user)
    if page is None:
        return render(request, "consent/no_employee.html")
    context = {"page": page, "withdraw_form": WithdrawForm()}
    return render(request, "consent/my_choices.html", context)


def _employee_and_program(request: HttpRequest, key: str) -> tuple[Employee, Program]:
    """The signed-in employee and a consent-based program, or 404."""
    employee = employee_for_user(user=request.user)
    program = Program.objects.filter(key=key, legal_basis=LegalBasis.CONSENT).first()
    if employee is None or program is None:
        raise Http404
    return employee, program


@require_POST
@login_required
def grant(request: HttpRequest, key: str) -> HttpResponse:
    employee, program = _employee_and_program(request, key)
    form = GrantForm(request.POST)
    notice = None
    if form.is_valid():
        version = form.cleaned_data["notice_version"]
        notice = Notice.objects.filter(program=program, version=version).first()
    if notice is None:
        raise Http404
    try:
        state = consent_grant(
            employee=employee, program=program, notice=notice,
            channel=Channel.PORTAL, actor=request.user,
        )  # fmt: skip
    except ConsentRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request,
            _("You consented to “%(name)s” under notice version %(version)s.")
            % {"name": program.name, "version": state.notice_version},
        )
    return redirect("consent:my_choices")


@require_POST
@login_required
def withdraw(request: HttpRequest, key: str) -> HttpResponse:
    employee, program = _employee_and_program(request, key)
    form = WithdrawForm(request.POST)
    erase = form.is_valid() and form.cleaned_data["erase"]
    consent_withdraw(
        employee=employee, program=program, channel=Channel.PORTAL,
        actor=request.user, erase=erase,
    )  # fmt: skip
    text = _("You withdrew your consent to “%(name)s”. Collection has stopped.")
    if erase:
        text += " " + _("Your wish to erase what was collected is recorded.")
    messages.success(request, text % {"name": program.name})
    return redirect("consent:my_choices")


@require_GET
@never_cache
@login_required
def receipt(request: HttpRequest, event_id: int) -> HttpResponse:
    """A receipt of one of the user's own consent events, JSON or ?format=txt."""
    event = consent_receipt(user=request.user, event_id=event_id)
    if event is None:
        raise Http404
    document = receipt_document(event=event)
    if request.GET.get("format") == "txt":
        body = render_to_string("consent/receipt.txt", {"r": document})
        response = HttpResponse(body, content_type="text/plain; charset=utf-8")
        suffix = "txt"
    else:
        body = json.dumps(document, indent=2, ensure_ascii=False)
        response = HttpResponse(body, content_type="application/json")
        suffix = "json"
    name = f"consent-receipt-{event.pk}.{suffix}"
    response["Content-Disposition"] = content_disposition(name)
    return response


@require_GET
@never_cache
@login_required
def rates(request: HttpRequest) -> HttpResponse:
    found = consent_rates(user=request.user)
    if found is None:
        raise Http404
    return render(request, "consent/rates.html", {"rates": found})
