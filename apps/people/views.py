"""The employee's own pages: what is held about me, store by store."""

import mimetypes
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from apps.catalog.selectors import dataset_by_key, programs_covering
from apps.governance.gateway import (
    gateway_dataset_summaries,
    gateway_open_file,
    gateway_records_page,
    gateway_subject,
)
from apps.people.selectors import employee_for_user
from apps.security.downloads import content_disposition
from apps.stores.base import StoreError

RECORDS_PER_PAGE = 25
OWN_DATA_PURPOSE = "Subject viewing their own data"


def _purpose(request: HttpRequest, subject) -> str:
    if subject.user_id == request.user.pk:
        return OWN_DATA_PURPOSE
    return "Reading under an access grant"


@require_GET
@never_cache
@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    employee = employee_for_user(user=request.user)
    if employee is None:
        return render(request, "people/no_employee.html", status=200)
    programs = programs_covering(employee=employee)
    datasets = [dataset for program in programs for dataset in program.datasets_list]
    results = gateway_dataset_summaries(
        actor=request.user,
        subject=employee,
        datasets=datasets,
        purpose=OWN_DATA_PURPOSE,
    )
    by_dataset = {result.dataset.pk: result for result in results}
    sections = [
        {
            "program": program,
            "datasets": [by_dataset[d.pk] for d in program.datasets_list],
            "total": sum(
                by_dataset[d.pk].summary.count
                for d in program.datasets_list
                if by_dataset[d.pk].summary
            ),
        }
        for program in programs
    ]
    return render(
        request,
        "people/my_data.html",
        {
            "employee": employee,
            "sections": sections,
            "total": sum(section["total"] for section in sections),
        },
    )


@require_GET
@never_cache
@login_required
def subject_dataset(request: HttpRequest, public_id: UUID, key: str) -> HttpResponse:
    subject = gateway_subject(actor=request.user, public_id=public_id)
    dataset = dataset_by_key(key=key)
    if dataset is None:
        raise Http404
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        number = 1
    context = {"subject": subject, "dataset": dataset, "program": dataset.program}
    try:
        context["page"] = gateway_records_page(
            actor=request.user,
            subject=subject,
            dataset=dataset,
            number=number,
            per_page=RECORDS_PER_PAGE,
            purpose=_purpose(request, subject),
        )
    except StoreError as exc:
        context["store_error"] = exc
        return render(request, "people/dataset.html", context, status=503)
    context["columns"] = _columns(context["page"].records)
    context["is_own"] = subject.user_id == request.user.pk
    return render(request, "people/dataset.html", context)


def _columns(records) -> list[str]:
    """The union of the records' field names, in first-seen order."""
    seen: dict[str, None] = {}
    for record in records:
        seen.update(dict.fromkeys(record.values))
    return list(seen)


@require_GET
@never_cache
@login_required
def subject_file(
    request: HttpRequest, public_id: UUID, key: str, file_key: str
) -> FileResponse:
    subject = gateway_subject(actor=request.user, public_id=public_id)
    dataset = dataset_by_key(key=key)
    if dataset is None:
        raise Http404
    path = gateway_open_file(
        actor=request.user,
        subject=subject,
        dataset=dataset,
        key=file_key,
        purpose=_purpose(request, subject),
    )
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    response = FileResponse(path.open("rb"), content_type=content_type)
    # Shown inline (an image on the page); the name is ours, never the store's,
    # so nothing a collector wrote reaches the header.
    response["Content-Disposition"] = content_disposition(
        f"record{path.suffix}", inline=True
    )
    return response
