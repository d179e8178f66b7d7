"""A dataset page and its files: only ever the subject's own records."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from apps.audit.models import AuditAction, AuditRecord
from apps.governance.permissions import telemetry_access_grant
from apps.people.models import User
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db(databases=["default", "telemetry"], transaction=True)


def dataset_url(employee, key="keystrokes"):
    return reverse(
        "people:subject_dataset", kwargs={"public_id": employee.public_id, "key": key}
    )


def file_url(employee, file_key, key="screens"):
    return reverse(
        "people:subject_file",
        kwargs={"public_id": employee.public_id, "key": key, "file_key": file_key},
    )


def test_it_pages_through_my_own_records_newest_first(client, alice, bob, catalog):
    client.force_login(alice.user)
    response = client.get(dataset_url(alice))
    assert response.status_code == 200
    page = response.context["page"]
    assert page.total == 3
    assert [r.values["typed_text"] for r in page.records] == [
        "alice wrote c",
        "alice wrote b",
        "alice wrote a",
    ]
    body = response.content.decode()
    assert "alice wrote c" in body
    assert "bob secret" not in body


def test_it_audits_the_records_read(client, alice, catalog):
    client.force_login(alice.user)
    client.get(dataset_url(alice))
    record = AuditRecord.objects.get(action=AuditAction.READ_RECORDS)
    assert (record.actor_id, record.subject_id, record.dataset_key) == (
        alice.user_id,
        alice.pk,
        "keystrokes",
    )
    assert len(record.detail["records"]) == 3


def test_a_bad_page_number_shows_the_first_page(client, alice, catalog):
    client.force_login(alice.user)
    for value in ("x", "-3", "0"):
        response = client.get(dataset_url(alice), {"page": value})
        assert response.context["page"].number == 1


def test_a_page_past_the_end_shows_the_last(client, alice, catalog):
    client.force_login(alice.user)
    response = client.get(dataset_url(alice), {"page": "99"})
    assert response.context["page"].number == 1
    assert len(response.context["page"].records) == 3


def test_a_stranger_gets_404_and_nothing_is_audited_as_read(
    client, alice, bob, catalog
):
    client.force_login(bob.user)
    assert client.get(dataset_url(alice)).status_code == 404
    assert client.get(dataset_url(alice, "screens")).status_code == 404
    assert not AuditRecord.objects.filter(subject=alice).exists()


def test_a_superuser_without_a_grant_gets_404(client, alice, catalog):
    admin = User.objects.create_superuser("root", password=DEMO_PASSWORD)
    client.force_login(admin)
    assert client.get(dataset_url(alice)).status_code == 404


def test_a_global_permission_grants_nothing(client, alice, catalog):
    """A group holding people.view_telemetry model-wide must not see everyone."""
    viewer = User.objects.create_user("viewer", password=DEMO_PASSWORD)
    group = Group.objects.create(name="everyone-viewers")
    group.permissions.add(Permission.objects.get(codename="view_telemetry"))
    viewer.groups.add(group)
    client.force_login(viewer)
    assert client.get(dataset_url(alice)).status_code == 404


def test_a_granted_reader_sees_the_records_and_is_audited(client, alice, catalog):
    officer = User.objects.create_user("officer", password=DEMO_PASSWORD)
    telemetry_access_grant(
        granted_by=officer, user=officer, employee=alice, reason="Case 42"
    )
    client.force_login(officer)
    response = client.get(dataset_url(alice))
    assert response.status_code == 200
    assert response.context["page"].total == 3
    assert "under an access grant" in response.content.decode()
    read = AuditRecord.objects.get(action=AuditAction.READ_RECORDS)
    assert (read.actor_id, read.subject_id) == (officer.pk, alice.pk)
    assert AuditRecord.objects.filter(action=AuditAction.GRANTED_ACCESS).count() == 1


def test_an_unknown_dataset_or_subject_gets_404(client, alice, catalog):
    client.force_login(alice.user)
    assert client.get(dataset_url(alice, "no-such-dataset")).status_code == 404
    url = reverse(
        "people:subject_dataset",
        kwargs={"public_id": "00000000-0000-0000-0000-000000000000", "key": "x"},
    )
    assert client.get(url).status_code == 404


def test_anonymous_is_redirected_and_post_refused(client, alice, catalog):
    assert client.get(dataset_url(alice)).status_code == 302
    client.force_login(alice.user)
    assert client.post(dataset_url(alice)).status_code == 405


def test_screen_captures_are_shown_as_my_images(client, alice, catalog):
    client.force_login(alice.user)
    response = client.get(dataset_url(alice, "screens"))
    assert response.status_code == 200
    keys = [r.key for r in response.context["page"].records]
    assert keys == [
        "captures/SN-ALICE-1/2026-11-06/2.png",
        "captures/SN-ALICE-1/2026-11-05/1.png",
    ]
    assert file_url(alice, keys[0]) in response.content.decode()


def test_a_capture_file_is_served_to_its_subject(client, alice, catalog, settings):
    client.force_login(alice.user)
    key = "captures/SN-ALICE-1/2026-11-05/1.png"
    response = client.get(file_url(alice, key))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'inline; filename="record.png"'
    assert "no-store" in response["Cache-Control"]
    body = b"".join(response.streaming_content)
    assert body == (settings.TELEMETRY_FILES_ROOT / key).read_bytes()
    assert AuditRecord.objects.filter(
        action=AuditAction.READ_FILE, detail__file=key
    ).exists()


def test_another_subjects_file_is_404_through_my_own_url(client, alice, bob, catalog):
    client.force_login(alice.user)
    for key in (
        "captures/SN-BOB-1/2026-11-05/3.png",
        "captures/SN-ALICE-1/../SN-BOB-1/2026-11-05/3.png",
        "../files/captures/SN-BOB-1/2026-11-05/3.png",
    ):
        assert client.get(file_url(alice, key)).status_code == 404, key


def test_a_stranger_cannot_fetch_my_file(client, alice, bob, catalog):
    client.force_login(bob.user)
    key = "captures/SN-ALICE-1/2026-11-05/1.png"
    assert client.get(file_url(alice, key)).status_code == 404


def test_a_file_is_not_served_to_anonymous_or_by_post(client, alice, catalog):
    key = "captures/SN-ALICE-1/2026-11-05/1.png"
    assert client.get(file_url(alice, key)).status_code == 302
    client.force_login(alice.user)
    assert client.post(file_url(alice, key)).status_code == 405
