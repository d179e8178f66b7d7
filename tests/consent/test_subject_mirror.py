"""Who a subject is, answered by the Redis mirror: every people write path
updates it at once, and whatever it does not hold the database answers.

Each test makes the mirror answer alone first (no query), changes people
through a real write path, and asks again: had the path not refreshed the
mirror, the stale entry would still allow.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.consent import subjects as subjects_module
from apps.consent.mirror import key, mirror_sync
from apps.consent.models import CollectorToken
from apps.consent.services import collector_token_revoke, consent_grant
from apps.consent.subjects import decode_person, people_field
from apps.people.models import Identifier, User
from apps.people.services import roster_import
from tests.conftest import make_employee
from tests.consent.conftest import answer, ask
from tests.people.conftest import HEADER, row

pytestmark = pytest.mark.django_db(transaction=True)

TRAINING = "ai_model_training"


@pytest.fixture
def mirrored(client, redis_backend, subjects, token, training, notice):
    """alice consents; the mirror is synced and answers without the database."""
    alice = subjects[0]
    consent_grant(employee=alice, program=training, notice=notice)
    mirror_sync()
    assert _decide(client, token, alice.work_email) == (("allow", "consented"), 0)
    assert _decide(client, token, "SN-ALICE-1", "device_serial")[0][0] == "allow"
    return subjects


def _decide(client, token, value, kind="email", program=TRAINING):
    """(decision, reason) and how many database queries it took, asked as a
    collector asks: a bearer token and no session cookie (the test's
    `client` may be signed in to the admin)."""
    with CaptureQueriesContext(connection) as queries:
        result = answer(Client(), token, program, value, kind=kind)
    return result, len(queries.captured_queries)


def _roster(tmp_path, *rows: str):
    path = tmp_path / "roster.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    roster_import(path=path)


def _alice_row(**cells) -> str:
    return row(
        employee_number="E00001",
        full_name="Alice",
        jurisdiction="EU",
        **{"work_email": "alice@example.com", "device_serials": "SN-ALICE-1", **cells},
    )


def test_a_leaver_in_the_roster_is_denied_at_once(client, token, mirrored, tmp_path):
    _roster(tmp_path, _alice_row(left_on=timezone.localdate().isoformat()))
    assert _decide(client, token, "alice@example.com") == (("deny", "leaver"), 0)
    assert _decide(client, token, "SN-ALICE-1", "device_serial")[0][1] == "leaver"


def test_an_identifier_dropped_from_the_roster_stops_resolving(
    client, token, mirrored, tmp_path
):
    _roster(tmp_path, _alice_row(device_serials=""))
    assert _decide(client, token, "SN-ALICE-1", "device_serial")[0] == (
        "deny",
        "unknown_subject",
    )
    assert _decide(client, token, "alice@example.com") == (("allow", "consented"), 0)


def test_a_device_handed_on_in_the_roster_names_its_new_holder(
    client, token, mirrored, tmp_path
):
    bob_row = row(
        employee_number="E00002",
        work_email="bob@example.com",
        full_name="Bob",
        jurisdiction="EU",
        device_serials="SN-BOB-1;SN-ALICE-1",
    )
    _roster(tmp_path, _alice_row(device_serials=""), bob_row)
    # bob never consented: the laptop now answers for him, from the mirror.
    assert _decide(client, token, "SN-ALICE-1", "device_serial") == (
        ("deny", "no_consent"),
        0,
    )


@pytest.fixture
def admin_client_(client):
    user = User.objects.create_superuser("hr", "hr@example.com", "pw-123456")
    client.force_login(user)
    return client


def _admin_save(client, employee, *, is_leaver=False, delete=()):
    """POST the employee's admin change form as it stands, with changes."""
    identifiers = list(employee.identifiers.order_by("pk"))
    data = {
        "user": employee.user_id,
        "employee_number": employee.employee_number,
        "work_email": employee.work_email,
        "full_name": employee.full_name,
        "jurisdiction": employee.jurisdiction,
        "identifiers-TOTAL_FORMS": len(identifiers),
        "identifiers-INITIAL_FORMS": len(identifiers),
        "identifiers-MIN_NUM_FORMS": 0,
        "identifiers-MAX_NUM_FORMS": 1000,
    }
    if is_leaver:
        data["is_leaver"] = "on"
    for n, identifier in enumerate(identifiers):
        data |= {
            f"identifiers-{n}-id": identifier.pk,
            f"identifiers-{n}-employee": employee.pk,
            f"identifiers-{n}-kind": identifier.kind,
            f"identifiers-{n}-value": identifier.value,
        }
        if identifier.value in delete:
            data[f"identifiers-{n}-DELETE"] = "on"
    url = reverse("admin:people_employee_change", args=[employee.pk])
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"]


def test_a_leaver_marked_in_the_admin_is_denied_at_once(admin_client_, token, mirrored):
    alice = mirrored[0]
    _admin_save(admin_client_, alice, is_leaver=True)
    assert _decide(admin_client_, token, alice.work_email) == (("deny", "leaver"), 0)


def test_an_identifier_deleted_in_the_admin_stops_resolving(
    admin_client_, token, mirrored
):
    alice = mirrored[0]
    _admin_save(admin_client_, alice, delete={"SN-ALICE-1"})
    assert not Identifier.objects.filter(value="SN-ALICE-1").exists()
    assert _decide(admin_client_, token, "SN-ALICE-1", "device_serial")[0] == (
        "deny",
        "unknown_subject",
    )


def test_an_employee_deleted_in_the_admin_is_unknown_at_once(
    admin_client_, token, mirrored
):
    bob = mirrored[1]
    assert _decide(
        admin_client_, token, "SN-BOB-1", "device_serial", "endpoint_security"
    ) == (("allow", "legal_basis"), 0)
    url = reverse("admin:people_employee_delete", args=[bob.pk])
    assert admin_client_.post(url, {"post": "yes"}).status_code == 302
    assert _decide(
        admin_client_, token, "SN-BOB-1", "device_serial", "endpoint_security"
    )[0] == ("deny", "unknown_subject")


def test_a_revoked_token_stops_at_once_from_the_mirror(client, token, mirrored):
    alice = mirrored[0]
    collector_token_revoke(token=CollectorToken.objects.get(name="agent"))
    with CaptureQueriesContext(connection) as queries:
        response = ask(client, token, TRAINING, value=alice.work_email)
    assert response.status_code == 401
    assert queries.captured_queries == []


def test_a_batch_of_mirrored_subjects_needs_no_query(client, token, mirrored):
    alice, bob, charlie = mirrored
    batch = [{"kind": "email", "value": e.work_email} for e in (alice, bob, charlie)]
    with CaptureQueriesContext(connection) as queries:
        response = ask(client, token, TRAINING, subjects=batch)
    assert [d["reason"] for d in response.json()["decisions"]] == [
        "consented",
        "no_consent",
        "no_consent",
    ]
    assert queries.captured_queries == []


def test_what_the_mirror_does_not_hold_the_database_answers(
    client, token, mirrored, training, notice
):
    # Made through the ORM after the sync: the mirror has never heard of dave.
    dave = make_employee("dave", number="E00004", device="SN-DAVE-1")
    consent_grant(employee=dave, program=training, notice=notice)
    (result, queries) = _decide(client, token, "SN-DAVE-1", "device_serial")
    assert result == ("allow", "consented") and queries > 0
    assert _decide(client, token, "nobody@example.com")[0] == (
        "deny",
        "unknown_subject",
    )


def test_a_sync_drops_identifiers_the_database_no_longer_has(
    client, token, mirrored, redis_backend
):
    # An ORM delete skips the write paths: the entry is stale until a sync.
    Identifier.objects.filter(value="SN-ALICE-1").delete()
    assert redis_backend.hget(key("people"), "device_serial:SN-ALICE-1")
    mirror_sync()
    assert redis_backend.hget(key("people"), "device_serial:SN-ALICE-1") is None
    assert _decide(client, token, "SN-ALICE-1", "device_serial")[0] == (
        "deny",
        "unknown_subject",
    )


def test_an_older_write_never_overwrites_a_newer_one(
    client, token, mirrored, redis_backend, tmp_path
):
    field = people_field("email", "alice@example.com")
    alice_id = mirrored[0].pk
    # A writer that took its version before the change, then wrote late.
    slow = redis_backend.incr(key("clock"))
    _roster(tmp_path, _alice_row(left_on=timezone.localdate().isoformat()))
    subjects_module._put(redis_backend, slow, {field: f"{alice_id}|"})
    assert _decide(client, token, "alice@example.com")[0] == ("deny", "leaver")
    # Older than the last full sync: dropped even where nothing is stored.
    mirror_sync()
    redis_backend.hdel(key("people"), field)
    subjects_module._put(redis_backend, slow, {field: f"{alice_id}|"})
    assert redis_backend.hget(key("people"), field) is None


def test_a_leaving_date_counts_from_the_next_day():
    today = dt.date(2025, 2, 1).isoformat()
    assert decode_person("9|7|2025-01-31", today) == (7, True)
    assert decode_person("9|7|2025-02-01", today) == (7, False)
    assert decode_person("9|7|1", today) == (7, True)
    assert decode_person("9|7|", today) == (7, False)
    assert decode_person("9||", today) is None  # a tombstone is a miss
    assert decode_person(None, today) is None


def test_a_mixed_case_roster_address_is_matched_in_any_case(
    client, token, mirrored, tmp_path
):
    """The roster's spelling stays on the employee; the identifier collectors
    ask about is kept in lower case, so every spelling resolves."""
    _roster(tmp_path, _alice_row(work_email="Alice.Smith@Example.COM"))
    identifier = Identifier.objects.get(
        employee__employee_number="E00001", kind="email"
    )
    assert identifier.value == "alice.smith@example.com"
    assert identifier.employee.work_email == "Alice.Smith@Example.COM"
    for spelling in ("Alice.Smith@Example.COM", "alice.smith@example.com"):
        assert _decide(client, token, spelling)[0] == ("allow", "consented")
    # A second import of the same file changes nothing (no churn of rows).
    _roster(tmp_path, _alice_row(work_email="Alice.Smith@Example.COM"))
    assert Identifier.objects.get(pk=identifier.pk).value == identifier.value
