"""The DPIA register: the service mirrors the catalog; flags; the page."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.catalog.models import Program
from apps.reports.dpia import dpia_flags
from apps.reports.models import DpiaEntry
from apps.reports.services import dpia_entry_update

pytestmark = pytest.mark.django_db


def test_an_update_mirrors_the_program_status(users, programs):
    program = programs[1]
    entry = dpia_entry_update(
        program=program, actor=users["dpo"], status="approved",
        document_url="https://docs.example.test/dpia/42",
    )  # fmt: skip
    assert Program.objects.get(pk=program.pk).dpia_status == "approved"
    assert (entry.reviewer, entry.decided_on) == (users["dpo"], timezone.localdate())
    assert "ai_training" not in [line.program.key for line in dpia_flags()]


def test_a_rejection_is_flagged(users, programs):
    dpia_entry_update(program=programs[0], actor=users["dpo"], status="rejected")
    flagged = {line.program.key: line.status for line in dpia_flags()}
    assert flagged == {"endpoint_monitoring": "rejected", "ai_training": "in_progress"}


def test_an_overdue_review_is_flagged(users, programs):
    dpia_entry_update(
        program=programs[0], actor=users["dpo"], status="approved",
        review_due_on=timezone.localdate() - dt.timedelta(days=1),
    )  # fmt: skip
    assert "endpoint_monitoring" in [line.program.key for line in dpia_flags()]


def test_dates_must_be_in_order(users, programs):
    with pytest.raises(ValidationError):
        dpia_entry_update(
            program=programs[0], actor=users["dpo"], status="in_progress",
            started_on=dt.date(2026, 5, 1), decided_on=dt.date(2026, 4, 1),
        )  # fmt: skip
    assert not DpiaEntry.objects.exists()
    assert Program.objects.get(pk=programs[0].pk).dpia_status == "approved"


def test_the_page_updates_the_register(client, users, programs):
    client.force_login(users["privacy_officer"])
    response = client.post(
        reverse("reports:dpia_update", args=["chat_archive"]),
        {"status": "in_progress", "started_on": "2026-11-01",
         "review_due_on": "2027-01-31"},
    )  # fmt: skip
    assert response.status_code == 302
    entry = DpiaEntry.objects.get(program__key="chat_archive")
    assert (entry.status, entry.review_due_on) == ("in_progress", dt.date(2027, 1, 31))
    page = client.get(reverse("reports:dpia_register")).content.decode()
    assert "2027-01-31" in page


def test_readers_see_it_and_only_keepers_change_it(client, users, programs):
    url = reverse("reports:dpia_update", args=["chat_archive"])
    for role in ("regulator", "auditor", "hr", "employee"):
        client.force_login(users[role])
        assert client.post(url, {"status": "approved"}).status_code == 404
    assert not DpiaEntry.objects.exists()
    client.force_login(users["regulator"])
    page = client.get(reverse("reports:dpia_register"))
    assert page.status_code == 200
    assert page.context["may_manage"] is False
    client.force_login(users["dpo"])
    assert (
        client.post(
            reverse("reports:dpia_update", args=["nope"]), {"status": "approved"}
        ).status_code
        == 404
    )
