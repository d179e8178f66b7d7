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
