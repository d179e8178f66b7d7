"""Records of processing, request records and metrics: pages and exports.

Every export is written to a temporary file first (request records can be
large), audited, then streamed back as an attachment.
"""

from __future__ import annotations

import tempfile

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from apps.governance.views.access import capability_required
from apps.reports import exports, requests
from apps.reports.forms import PeriodForm
from apps.reports.pdf import write_ropa_pdf
from apps.reports.ropa import COLUMN_KEYS, COLUMNS, VIEW_ROPA, ropa_for_user
from apps.reports.services import export_record

TABLE_FORMATS = ("csv", "json", "xlsx")
# Spill to disk past this size rather than hold a large export in memory.
SPOOL_BYTES = 8 * 1024 * 1024


def _format(request: HttpRequest, allowed: tuple[str, ...]) -> str:
    fmt = request.GET.get("format", "csv")
    if fmt not in allowed:
        raise Http404
    return fmt


def _attachment(spool, fmt: str, name: str) -> FileResponse:
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename=f"{name}.{fmt}",
        content_type=exports.FORMATS[fmt],
    )


def _write_table(
    spool, fmt: str, *, sheet: str, headings, keys, rows, meta: dict
) -> int:
    headings = [str(h) for h in headings]
    if fmt == "csv":
        return exports.write_csv(spool, headings=headings, rows=rows)
    if fmt == "json":
        return exports.write_json(
            spool, meta=meta, items_key="records", keys=keys, rows=rows
        )
    return exports.write_xlsx(spool, sheet=sheet, headings=headings, rows=rows)


@require_GET
@never_cache
@login_required
@capability_required(VIEW_ROPA)
def ropa(request: HttpRequest) -> HttpResponse:
    base_url = request.build_absolute_uri("/")[:-1]
    found = ropa_for_user(user=request.user, base_url=base_url)
    context = {"ropa": found, "columns": COLUMNS}
    return render(request, "reports/ropa.html", context)


@require_GET
@never_cache
@login_required
@capability_required(VIEW_ROPA)
def ropa_export(request: HttpRequest) -> FileResponse:
    fmt = _format(request, (*TABLE_FORMATS, "pdf"))
    base_url = request.build_absolute_uri("/")[:-1]
    found = ropa_for_user(user=request.user, base_url=base_url)
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    if fmt == "pdf":
        write_ropa_pdf(spool, ropa=found, generated_at=timezone.now())
    else:
        _write_table(
            spool, fmt, sheet="Records of processing",
            headings=[c.label for c in COLUMNS], keys=COLUMN_KEYS,
            rows=(row.as_list() for row in found.rows),
            meta={
                "generated_at": timezone.now().isoformat(),
                "organisation": found.organisation.__dict__,
                "incomplete": [row.values["program_key"] for row in found.incomplete],
            },
        )  # fmt: skip
    export_record(
        actor=request.user, report="records_of_processing", fmt=fmt,
        rows=len(found.rows),
    )  # fmt: skip
    return _attachment(spool, fmt, "records-of-processing")


def _period(request: HttpRequest) -> requests.Period:
    form = PeriodForm(request.GET or None)
    default = requests.default_period()
    if form.is_bound and form.is_valid():
        return requests.Period(
            start=form.cleaned_data["start"] or default.start,
            end=form.cleaned_data["end"] or default.end,
        )
    return default


@require_GET
@never_cache
@login_required
@capability_required(requests.VIEW_REQUEST_RECORDS)
def request_records(request: HttpRequest) -> HttpResponse:
    period = _period(request)
    metrics = requests.yearly_metrics(period=period)
    context = {
        "period": period,
        "metrics": metrics,
        "retention_months": settings.REPORTS_REQUEST_RECORD_MONTHS,
    }
    return render(request, "reports/request_records.html", context)


@require_GET
@never_cache
@login_required
@capability_required(requests.VIEW_REQUEST_RECORDS)
def request_records_export(request: HttpRequest) -> FileResponse:
    fmt = _format(request, TABLE_FORMATS)
    period = _period(request)
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    count = _write_table(
        spool, fmt, sheet="Request records",
        headings=requests.RECORD_HEADINGS, keys=requests.RECORD_KEYS,
        rows=requests.record_rows(period=period),
        meta={"period": {"start": period.start, "end": period.end}},
    )  # fmt: skip
    export_record(
        actor=request.user, report="request_records", fmt=fmt, rows=count,
        detail={"period": f"{period.start}..{period.end}"},
    )  # fmt: skip
    return _attachment(spool, fmt, f"request-records-{period.start}-{period.end}")


@require_GET
@never_cache
@login_required
@capability_required(requests.VIEW_REQUEST_RECORDS)
def request_metrics_export(request: HttpRequest) -> FileResponse:
    fmt = _format(request, TABLE_FORMATS)
    period = _period(request)
    metrics = requests.yearly_metrics(period=period)
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    count = _write_table(
        spool, fmt, sheet="Request metrics",
        headings=requests.METRIC_HEADINGS, keys=requests.METRIC_KEYS,
        rows=requests.metric_rows(metrics),
        meta={"period": {"start": period.start, "end": period.end}},
    )  # fmt: skip
    export_record(
        actor=request.user, report="request_metrics", fmt=fmt, rows=count,
        detail={"period": f"{period.start}..{period.end}"},
    )  # fmt: skip
    return _attachment(spool, fmt, f"request-metrics-{period.start}-{period.end}")
