"""The audit log's admin shows records and offers no way to change them."""

import pytest
from django.urls import reverse

from apps.audit.models import AuditAction
from apps.audit.services import audit_record_access
from apps.people.models import User
from tests.conftest import DEMO_PASSWORD


@pytest.fixture
def record(alice):
    return audit_record_access(
        actor=alice.user,
        subject=alice,
        action=AuditAction.READ_RECORDS,
        purpose="Subject viewing their own data",
        dataset_key="keystrokes",
    )


@pytest.fixture
def admin_client(client, db):
    client.force_login(User.objects.create_superuser("root", password=DEMO_PASSWORD))
    return client


def test_it_lists_records_for_staff(admin_client, record):
    response = admin_client.get(reverse("admin:audit_auditrecord_changelist"))
    assert response.status_code == 200
    assert "keystrokes" in response.content.decode()


def test_it_offers_no_add_change_or_delete(admin_client, record):
    assert admin_client.get(reverse("admin:audit_auditrecord_add")).status_code == 403
    change = reverse("admin:audit_auditrecord_change", args=[record.pk])
    assert admin_client.post(change, {"purpose": "edited"}).status_code == 403
    delete = reverse("admin:audit_auditrecord_delete", args=[record.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    record.refresh_from_db()
    assert record.purpose == "Subject viewing their own data"


def test_a_non_staff_user_is_sent_to_the_admin_login(client, alice, record):
    client.force_login(alice.user)
    response = client.get(reverse("admin:audit_auditrecord_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_checkpoints_and_verifications_are_read_only_too(admin_client, record):
    from django.core.management import call_command

    from apps.audit.models import AuditCheckpoint

    call_command("verify_audit")
    checkpoint = AuditCheckpoint.objects.get()
    listing = admin_client.get(reverse("admin:audit_auditcheckpoint_changelist"))
    assert listing.status_code == 200
    assert checkpoint.record_hash in listing.content.decode()
    for name in ("auditcheckpoint", "auditverification"):
        assert admin_client.get(reverse(f"admin:audit_{name}_add")).status_code == 403
    delete = reverse("admin:audit_auditcheckpoint_delete", args=[checkpoint.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert AuditCheckpoint.objects.filter(pk=checkpoint.pk).exists()
