"""The employee's view of the audit log: who has looked at my data."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from apps.audit.selectors import (
    access_entries,
    access_log_for_subject,
    aggregate_log_for_subject,
)

ENTRIES_PER_PAGE = 25


@require_GET
@never_cache
@login_required
def my_access_log(request: HttpRequest) -> HttpResponse:
    """Every access to the signed-in employee's data by someone else, paged.

    The subject is always the signed-in user: nothing in the URL names one.
    Group reads covering their department have a list (and pager) of their own.
    """
    reads = Paginator(access_log_for_subject(user=request.user), ENTRIES_PER_PAGE)
    groups = Paginator(aggregate_log_for_subject(user=request.user), ENTRIES_PER_PAGE)
    page = reads.get_page(request.GET.get("page"))
    group_page = groups.get_page(request.GET.get("group_page"))
    return render(
        request,
        "audit/my_access_log.html",
        {
            "page": page,
            "entries": access_entries(list(page.object_list)),
            "group_page": group_page,
            "group_entries": access_entries(list(group_page.object_list)),
        },
    )
