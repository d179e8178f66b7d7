"""Reports: exposure (page and CSV), retention runs, access-review results."""

from __future__ import annotations

import csv

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from apps.governance.models import RetentionRun
from apps.governance.selectors.exposure import exposure_report
from apps.governance.selectors.reviews import review_for_export, reviews_for_export
from apps.governance.views.access import capability_required
from apps.security.downloads import content_disposition

EXPOSURE_COLUMNS = [
    "dataset",
    "program",
    "store",
    "readers",
    "subjects_exposed",
    "max_readers",
    "over_limit",
    "unlisted_roles",
    "reader_names",
    "groups",
    "cases",
]


def _csv(name: str) -> tuple[HttpResponse, csv.writer]:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition(name)
    return response, csv.writer(response)


@require_GET
@login_required
@capability_required("governance.view_exposure_report")
def exposure(request: HttpRequest) -> HttpResponse:
    report = exposure_report(user=request.user)
    return render(request, "governance/exposure.html", {"report": report})


@require_GET
@login_required
@capability_required("governance.view_exposure_report")
def exposure_csv(request: HttpRequest) -> HttpResponse:
    report = exposure_report(user=request.user)
    response, writer = _csv("exposure.csv")
    writer.writerow(EXPOSURE_COLUMNS)
    for row in report.datasets:
        writer.writerow(
            [
                row.dataset.key,
                row.dataset.program.key,
                row.dataset.store.key,
                row.reader_count,
                row.subject_count,
                row.max_readers,
                "yes" if row.over_limit else "no",
                ";".join(row.unlisted_roles),
                ";".join(sorted(r.username for r in row.readers.values())),
                ";".join(sorted(row.groups)),
                ";".join(str(pk) for pk in sorted(row.case_ids)),
            ]
        )
    for item in report.unregistered:
        writer.writerow(
            [item.location, "", item.store.key, "", "", "", "", "", "", "", ""]
        )
    return response


@require_GET
@login_required
@capability_required("governance.view_retention_runs")
def retention_runs(request: HttpRequest) -> HttpResponse:
    runs = RetentionRun.objects.prefetch_related("entries")[:20]
    return render(request, "governance/retention_runs.html", {"runs": runs})


@require_GET
@login_required
@capability_required("governance.export_access_reviews")
def review_list(request: HttpRequest) -> HttpResponse:
    reviews = reviews_for_export(user=request.user)
    return render(request, "governance/review_list.html", {"reviews": reviews})


@require_GET
@login_required
@capability_required("governance.export_access_reviews")
def review_csv(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for_export(user=request.user, pk=pk)
    if review is None:
        raise Http404
    response, writer = _csv(f"access-review-{review.pk}.csv")
    writer.writerow(
        [
            "item",
            "grant",
            "who_may_read",
            "whose_data",
            "owner",
            "decision",
            "decided_by",
            "decided_at",
            "note",
        ]
    )
    for item in review.items.select_related("owner"):
        writer.writerow(
            [
                item.pk,
                item.description,
                item.grantee_label,
                item.subject_label,
                item.owner.get_username() if item.owner else "",
                item.decision,
                item.decided_by_label,
                item.decided_at.isoformat() if item.decided_at else "",
                item.note,
            ]
        )
    return response
