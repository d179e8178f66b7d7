"""Evidence bundles: officers prepare them; each regulator sees only theirs."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.stepup import staff_step_up_required
from apps.governance.views.access import capability_required, object_rule
from apps.reports.forms import BundleForm
from apps.reports.models import BundleStatus
from apps.reports.selectors import (
    PREPARE_BUNDLE,
    bundle_for_user,
    bundles_for_user,
    regulators,
)
from apps.reports.services import bundle_downloaded, bundle_request

RULE = (
    "reports.prepare_bundle: every bundle; reports.receive_bundle: the bundles "
    "prepared for them"
)


def _form(data=None) -> BundleForm:
    return BundleForm(data, regulators=regulators())


@require_GET
@never_cache
@login_required
@object_rule(RULE)
def bundle_list(request: HttpRequest) -> HttpResponse:
    found = bundles_for_user(user=request.user)
    if found is None:
        raise Http404
    bundles, may_prepare = found
    context = {"bundles": bundles, "form": _form() if may_prepare else None}
    return render(request, "reports/bundle_list.html", context)


@require_POST
@login_required
@capability_required(PREPARE_BUNDLE)
def bundle_new(request: HttpRequest) -> HttpResponse:
    form = _form(request.POST)
    if form.is_valid():
        try:
            bundle = bundle_request(requested_by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The bundle is being prepared."))
            return redirect("reports:bundle_detail", public_id=bundle.public_id)
    bundles, _may = bundles_for_user(user=request.user)
    context = {"bundles": bundles, "form": form}
    return render(request, "reports/bundle_list.html", context, status=400)


@require_GET
@never_cache
@login_required
@object_rule(RULE)
def bundle_detail(request: HttpRequest, public_id) -> HttpResponse:
    bundle = bundle_for_user(user=request.user, public_id=public_id)
    if bundle is None:
        raise Http404
    working = bundle.status in (BundleStatus.PENDING, BundleStatus.RUNNING)
    context = {"bundle": bundle, "working": working}
    return render(request, "reports/bundle_detail.html", context)


@require_GET
@never_cache
@login_required
@object_rule(RULE)
@staff_step_up_required()
def bundle_download(request: HttpRequest, public_id) -> FileResponse:
    bundle = bundle_for_user(user=request.user, public_id=public_id)
    if bundle is None or bundle.status != BundleStatus.READY:
        raise Http404
    path = Path(settings.REPORTS_BUNDLE_DIR) / bundle.file_name
    if not path.is_file():
        raise Http404
    bundle_downloaded(bundle=bundle, actor=request.user)
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=bundle.download_name,
        content_type="application/zip",
    )
