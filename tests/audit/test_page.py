"""Who has looked at my data: the page."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from apps.audit.models import AuditAction
from apps.audit.services import (
    audit_aggregate_entry,
    audit_record_access,
    audit_record_many,
)
from apps.catalog.models import Dataset, Program, Store
from apps.people.models import Department

URL = "/me/access-log/"


@pytest.fixture
def keystrokes(db) -> Dataset:
    program = Program.objects.create(
        key="endpoint",
        name="Endpoint monitoring",
        purpose="Protect laptops",
        legal_basis="legitimate_interests",
        retention_days=90,
    )
    store = Store.objects.create(key="mon", name="Monitoring DB", kind="sql")
    return Dataset.objects.create(
        store=store,
        program=program,
        key="keystrokes",
        name="Keystroke log",
        location="events",
        identifier_kind="device_serial",
    )


@pytest.fixture
def officer_read(officer, alice, keystrokes):
    group, _ = Group.objects.get_or_create(name="privacy_officer")
    officer.groups.add(group)
    return audit_record_access(
        actor=officer,
        subject=alice,
        action=AuditAction.READ_RECORDS,
        dataset_key="keystrokes",
        purpose="Investigating a reported data leak",
        detail={"page": 1, "case_id": 41, "request_id": 7},
    )


def test_the_url_names_no_subject():
    assert reverse("audit:my_access_log") == URL


def test_it_lists_an_officers_read_of_my_data(client, alice, officer_read):
    client.force_login(alice.user)
    response = client.get(URL)
    assert response.status_code == 200
    entries = response.context["entries"]
    assert [e.seq for e in entries] == [officer_read.seq]
    entry = entries[0]
    assert (entry.who, entry.roles, entry.dataset) == (
        "Olivia Officer",
        ["Privacy officer"],
        "Keystroke log",
    )
    assert (entry.case_id, entry.request_id) == ("41", "7")
    page = response.content.decode()
    for text in (
        "Olivia Officer",
        "Privacy officer",
        "Keystroke log",
        "Case 41",
        "Request 7",
        "Investigating a reported data leak",
        "Read records",
    ):
        assert text in page
    assert "no-cache" in response["Cache-Control"]


def test_my_own_reads_are_logged_but_not_listed(client, alice, officer_read):
    own = audit_record_access(
        actor=alice.user,
        subject=alice,
        action=AuditAction.READ_RECORDS,
        dataset_key="keystrokes",
        purpose="Subject viewing their own data",
    )
    client.force_login(alice.user)
    seqs = [e.seq for e in client.get(URL).context["entries"]]
    assert seqs == [officer_read.seq]
    assert own.seq not in seqs


def test_a_stranger_sees_only_their_own_log(client, bob, officer_read, officer):
    bobs = audit_record_access(
        actor=officer, subject=bob, action="read_counts", purpose="Case 9"
    )
    client.force_login(bob.user)
    response = client.get(URL, {"subject": officer_read.subject_id, "page": 1})
    assert [e.seq for e in response.context["entries"]] == [bobs.seq]
    assert "Investigating a reported data leak" not in response.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_post_is_not_allowed(client, alice):
    client.force_login(alice.user)
    assert client.post(URL).status_code == 405


def test_a_user_without_an_employee_record_sees_an_empty_log(client, officer):
    client.force_login(officer)
    response = client.get(URL)
    assert response.status_code == 200
    assert list(response.context["entries"]) == []


def test_group_figures_covering_my_department_have_their_own_section(
    client, alice, bob, officer
):
    sales, legal = Department.objects.bulk_create(
        [Department(name="Sales"), Department(name="Legal")]
    )
    alice.department = sales
    alice.save()
    mine, other = audit_record_many(
        entries=[
            audit_aggregate_entry(
                actor=officer,
                purpose="Quarterly productivity dashboard",
                group="Sales (12 people)",
                group_size=12,
                department_id=sales.pk,
            ),
            audit_aggregate_entry(
                actor=officer,
                purpose="Legal headcount",
                group="Legal (6 people)",
                group_size=6,
                department_id=legal.pk,
            ),
        ]
    )
    client.force_login(alice.user)
    response = client.get(URL)
    assert [e.seq for e in response.context["group_entries"]] == [mine.seq]
    assert response.context["entries"] == []
    page = response.content.decode()
    assert "Sales (12 people)" in page and "Legal (6 people)" not in page


def test_it_pages_newest_first(client, alice, officer):
    records = [
        audit_record_access(
            actor=officer, subject=alice, action="read_counts", purpose=f"read {n}"
        )
        for n in range(30)
    ]
    client.force_login(alice.user)
    first = client.get(URL).context["entries"]
    second = client.get(URL, {"page": 2}).context["entries"]
    assert [e.seq for e in first] == [r.seq for r in reversed(records)][:25]
    assert [e.seq for e in second] == [r.seq for r in reversed(records)][25:]
