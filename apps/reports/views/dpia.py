"""The DPIA register: everyone who reads the records of processing sees it;
the DPO and privacy officers update it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from apps.catalog.models import Program
from apps.governance.permissions import has_capability
from apps.governance.views.access import capability_required
from apps.reports.dpia import dpia_register
from apps.reports.forms import DpiaForm
from apps.reports.ropa import VIEW_ROPA
from apps.reports.services import dpia_entry_update

MANAGE_DPIA = "reports.manage_dpia"


@require_GET
@never_cache
@login_required
@capability_required(VIEW_ROPA)
def register(request: HttpRequest) -> HttpResponse:
    context = {
        "lines": dpia_register(),
        "today": timezone.localdate(),
        "may_manage": has_capability(user=request.user, perm=MANAGE_DPIA),
        "form": DpiaForm(),
    }
    return render(request, "reports/dpia_register.html", context)


@require_POST
@login_required
@capability_required(MANAGE_DPIA)
def update(request: HttpRequest, key: str) -> HttpResponse:
    program = Program.objects.filter(key=key).first()
    if program is None:
        raise Http404
    form = DpiaForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The DPIA entry was not saved: check the dates."))
        return redirect("reports:dpia_register")
    try:
        dpia_entry_update(program=program, actor=request.user, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("DPIA register updated for “%(name)s”.") % {"name": program.name}
        )
    return redirect("reports:dpia_register")
