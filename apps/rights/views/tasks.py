"""Manual stores: the person named for a job (or an officer) carries it out
by hand, attaches evidence and confirms."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from apps.governance.views.access import object_rule
from apps.rights.forms import ManualConfirmForm
from apps.rights.selectors import manual_job_for_user, manual_jobs_for_user
from apps.rights.services.lifecycle import RequestRefused
from apps.rights.services.special import manual_job_confirm


@require_GET
@never_cache
@login_required
@object_rule("anyone signed in: the manual tasks named for them (officers: all)")
def my_tasks(request: HttpRequest) -> HttpResponse:
    jobs = manual_jobs_for_user(user=request.user)
    context = {"jobs": jobs, "form": ManualConfirmForm()}
    return render(request, "rights/my_tasks.html", context)


@require_POST
@login_required
@object_rule("the person the manual task names, or a privacy officer")
def task_confirm(request: HttpRequest, job_id: int) -> HttpResponse:
    job = manual_job_for_user(user=request.user, pk=job_id)
    if job is None:
        raise Http404
    form = ManualConfirmForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(
            request, _("Say how many records it concerned and what you did.")
        )
        return redirect("rights:my_tasks")
    try:
        manual_job_confirm(
            job=job,
            user=request.user,
            evidence=form.cleaned_data["evidence"],
            records=form.cleaned_data["records"],
            note=form.cleaned_data["note"],
        )
    except (RequestRefused, ValidationError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Thank you: the task is confirmed."))
    return redirect("rights:my_tasks")
