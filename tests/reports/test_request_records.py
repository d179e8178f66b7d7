"""Request records and yearly metrics: what each export says, the period,
the retention window, an empty period."""

import datetime as dt
import statistics

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditRecord
from apps.reports.requests import (
    RECORD_HEADINGS,
    Period,
    default_period,
    yearly_metrics,
)
from apps.rights.models import Request, RequestStatus
from tests.reports.helpers import body, parse_csv, parse_json, parse_xlsx

pytestmark = pytest.mark.django_db
EVERYTHING = {"start": "2000-01-01", "end": "2100-01-01"}
HEADINGS = [str(h) for h in RECORD_HEADINGS]


def _export(client, user, fmt: str, params=EVERYTHING, name="request_records_export"):
    client.force_login(user)
    response = client.get(reverse(f"reports:{name}"), {"format": fmt, **params})
    assert response.status_code == 200
    return body(response)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_it_writes_one_record_per_request(client, users, history, fmt):
    data = _export(client, users["regulator"], fmt)
    rows = parse_csv(data) if fmt == "csv" else parse_xlsx(data)
    assert list(rows[0]) == HEADINGS
    by_ref = {row["Reference"]: row for row in rows}
    requests = Request.objects.all()
    assert sorted(by_ref) == sorted(str(r.public_id) for r in requests)
    for request in requests:
        row = by_ref[str(request.public_id)]
        assert row["Received"] == request.received_at.isoformat()
        assert row["Deadline"] == request.due_at.isoformat()
        assert row["Type"] == request.get_kind_display()
        assert row["Channel"] == request.get_channel_display()
        assert row["Status"] == request.get_status_display()
        assert row["Extended by (days)"] == str(request.extended_days)
        assert row["Reason for the extension"] == request.extension_reason
        assert row["Reason for refusal"] == request.refusal_reason
        answered = request.responded_at.isoformat() if request.responded_at else ""
        assert row["Answered"] == answered
        if request.status == RequestStatus.REFUSED:
            assert row["Reason for refusal"] == "Manifestly unfounded (Art. 12(5))"
            assert row["Nature of the response"] == "Refused with reasons"


def test_the_records_never_name_the_employee(client, users, history):
    data = _export(client, users["regulator"], "csv").decode()
    for employee in history:
        assert employee.full_name not in data
        assert employee.work_email not in data
        assert employee.employee_number not in data


def test_json_carries_the_period(client, users, history):
    document = parse_json(_export(client, users["auditor"], "json"))
    assert document["period"] == {"start": "2000-01-01", "end": "2100-01-01"}
    assert len(document["records"]) == Request.objects.count() == 60
    assert set(document["records"][0]) >= {"reference", "refusal_reason", "due_at"}


def test_an_empty_period_exports_headers_only(client, users, history):
    params = {"start": "2001-01-01", "end": "2001-12-31"}
    assert parse_csv(_export(client, users["regulator"], "csv", params)) == []
    assert (
        parse_json(_export(client, users["regulator"], "json", params))["records"] == []
    )
    assert parse_xlsx(_export(client, users["regulator"], "xlsx", params)) == []


def test_the_period_bounds_are_days_included(client, users, history):
    first = Request.objects.order_by("received_at").first()
    day = timezone.localdate(first.received_at).isoformat()
    rows = parse_csv(
        _export(client, users["regulator"], "csv", {"start": day, "end": day})
    )
    assert str(first.public_id) in {row["Reference"] for row in rows}
    assert all(row["Received"][:10] <= day for row in rows)


def test_the_default_period_is_the_retention_window(settings):
    settings.REPORTS_REQUEST_RECORD_MONTHS = 24
    assert default_period(today=dt.date(2026, 11, 22)) == Period(
        start=dt.date(2024, 11, 22), end=dt.date(2026, 11, 22)
    )
    settings.REPORTS_REQUEST_RECORD_MONTHS = 3
    assert default_period(today=dt.date(2026, 2, 10)).start == dt.date(2025, 11, 10)


def test_the_metrics_count_and_take_medians(history):
    period = Period(start=dt.date(2000, 1, 1), end=dt.date(2100, 1, 1))
    metrics = yearly_metrics(period=period)
    assert sum(m.received for m in metrics) == 60
    for m in metrics:
        requests = [
            r
            for r in Request.objects.filter(kind=m.kind)
            if timezone.localtime(r.received_at).year == m.year
        ]
        assert m.received == len(requests)
        answered = {RequestStatus.COMPLETED, RequestStatus.PARTIALLY_COMPLETED}
        assert m.completed == sum(r.status in answered for r in requests)
        assert m.refused == sum(r.status == RequestStatus.REFUSED for r in requests)
        days = [
            (r.responded_at - r.received_at).total_seconds() / 86400
            for r in requests
            if r.status in answered | {RequestStatus.REFUSED}
        ]
        assert m.median_days == (round(statistics.median(days), 1) if days else None)


def test_the_metrics_export_matches(client, users, history):
    rows = parse_csv(
        _export(client, users["dpo"], "csv", name="request_metrics_export")
    )
    assert sum(int(row["Received"]) for row in rows) == 60
    answered = Request.objects.filter(
        status__in=[RequestStatus.COMPLETED, RequestStatus.PARTIALLY_COMPLETED]
    ).count()
    assert sum(int(row["Completed (wholly or in part)"]) for row in rows) == answered
    refused = Request.objects.filter(status=RequestStatus.REFUSED).count()
    assert sum(int(row["Refused"]) for row in rows) == refused


def test_exports_are_audited(client, users, history):
    _export(client, users["regulator"], "csv")
    _export(client, users["regulator"], "json", name="request_metrics_export")
    records = AuditRecord.objects.filter(dataset_key__startswith="reports.request")
    assert sorted((r.dataset_key, r.detail["rows"] > 0) for r in records) == [
        ("reports.request_metrics", True),
        ("reports.request_records", True),
    ]
    assert all(r.subject_id is None for r in records)


def test_hr_and_others_get_404(client, users, history):
    for role in ("employee", "hr", "manager", "security_investigator"):
        client.force_login(users[role])
        for name in ("request_records", "request_records_export"):
            assert client.get(reverse(f"reports:{name}")).status_code == 404


def test_the_page_shows_the_metrics(client, users, history):
    client.force_login(users["auditor"])
    response = client.get(reverse("reports:request_records"), EVERYTHING)
    assert response.status_code == 200
    assert sum(m.received for m in response.context["metrics"]) == 60
    response = client.get(
        reverse("reports:request_records"), {"start": "2001-01-01", "end": "2001-02-01"}
    )
    assert "No request was received in this period." in response.content.decode()
