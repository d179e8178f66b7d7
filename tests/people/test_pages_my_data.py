"""The "My data" page: what each dataset holds about me, and nothing else."""

import pytest
from django.urls import reverse

from apps.audit.models import AuditAction, AuditRecord
from apps.catalog.models import Dataset, Store
from apps.people.models import User
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db(databases=["default", "telemetry"], transaction=True)

URL = reverse("people:my_data")


def test_it_shows_counts_and_dates_for_each_dataset(client, alice, bob, catalog):
    client.force_login(alice.user)
    response = client.get(URL)
    assert response.status_code == 200
    sections = response.context["sections"]
    assert [s["program"].key for s in sections] == ["endpoint"]
    counts = {r.dataset.key: r.summary.count for r in sections[0]["datasets"]}
    assert counts == {"keystrokes": 3, "screens": 2}
    keystrokes = next(
        r for r in sections[0]["datasets"] if r.dataset.key == "keystrokes"
    )
    assert keystrokes.summary.oldest.isoformat() == "2026-11-01T09:00:00+00:00"
    assert keystrokes.summary.newest.isoformat() == "2026-11-03T09:00:00+00:00"
    assert response.context["total"] == 5
    body = response.content.decode()
    assert "Protect company laptops" in body
    assert "Keystrokes" in body  # the category's readable name
    assert "no-store" in response["Cache-Control"]


def test_it_audits_every_count_it_shows(client, alice, catalog):
    client.force_login(alice.user)
    client.get(URL)
    records = AuditRecord.objects.filter(subject=alice, action=AuditAction.READ_COUNTS)
    assert sorted(records.values_list("dataset_key", flat=True)) == [
        "keystrokes",
        "screens",
    ]
    assert {r.actor_id for r in records} == {alice.user_id}


def test_it_shows_bobs_counts_to_bob(client, alice, bob, catalog):
    client.force_login(bob.user)
    response = client.get(URL)
    counts = {
        r.dataset.key: r.summary.count
        for r in response.context["sections"][0]["datasets"]
    }
    assert counts == {"keystrokes": 2, "screens": 1}


def test_it_names_a_store_that_is_down_and_shows_the_rest(
    client, alice, catalog, monkeypatch
):
    monkeypatch.delenv("CANDOR_TEST_MISSING_DB", raising=False)
    broken = Store.objects.create(
        key="hr-db",
        name="HR database",
        kind="sql",
        connection={"url_env": "CANDOR_TEST_MISSING_DB"},
    )
    Dataset.objects.create(
        store=broken,
        program=catalog["program"],
        key="hr-notes",
        name="HR notes",
        location="notes",
        subject_field="email",
        identifier_kind="email",
    )
    client.force_login(alice.user)
    response = client.get(URL)
    assert response.status_code == 200
    results = {r.dataset.key: r for r in response.context["sections"][0]["datasets"]}
    assert results["keystrokes"].summary.count == 3
    assert results["hr-notes"].summary is None
    assert "HR database" in results["hr-notes"].error
    assert "CANDOR_TEST_MISSING_DB" in results["hr-notes"].error
    assert "Unavailable right now" in response.content.decode()


def test_it_tells_staff_without_an_employee_record(client, db):
    officer = User.objects.create_user("officer", password=DEMO_PASSWORD)
    client.force_login(officer)
    response = client.get(URL)
    assert response.status_code == 200
    assert "not linked to an employee record" in response.content.decode()


def test_it_redirects_anonymous_visitors_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_refuses_post(client, alice):
    client.force_login(alice.user)
    assert client.post(URL).status_code == 405


def test_sign_in_leads_to_my_data(client, alice):
    response = client.post(
        reverse("login"),
        {"username": alice.user.username, "password": DEMO_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == URL


def test_sign_in_with_a_wrong_password_says_so(client, alice):
    response = client.post(
        reverse("login"), {"username": alice.user.username, "password": "nope"}
    )
    assert response.status_code == 200
    assert "do not match" in response.content.decode()
