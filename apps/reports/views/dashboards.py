"""The three dashboards: privacy officer, HR, DPO."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from apps.governance.roles import AGGREGATES
from apps.governance.views.access import capability_required
from apps.reports.charts import bar_chart, line_chart
from apps.reports.dashboards import (
    DECIDE_CASE,
    HANDLE_REQUESTS,
    dpo_dashboard,
    hr_dashboard,
    officer_dashboard,
)


@require_GET
@never_cache
@login_required
@capability_required(HANDLE_REQUESTS)
def officer(request: HttpRequest) -> HttpResponse:
    board = officer_dashboard(user=request.user)
    charts = {
        "status": bar_chart(board.by_status, title=_("Open requests by status")),
        "kind": bar_chart(board.by_kind, title=_("Open requests by type")),
        "median": line_chart(
            board.median_days, title=_("Median days to complete, by month"), unit=" d"
        ),
    }
    return render(request, "reports/officer.html", {"board": board, "charts": charts})


@require_GET
@never_cache
@login_required
@capability_required(AGGREGATES)
def hr(request: HttpRequest) -> HttpResponse:
    board = hr_dashboard(user=request.user)
    charts = {
        "months": bar_chart(board.requests_by_month, title=_("Requests by month")),
    }
    return render(request, "reports/hr.html", {"board": board, "charts": charts})


@require_GET
@never_cache
@login_required
@capability_required(DECIDE_CASE)
def dpo(request: HttpRequest) -> HttpResponse:
    board = dpo_dashboard(user=request.user)
    return render(request, "reports/dpo.html", {"board": board})
