"""Audit fixtures: an officer, a short chain, and tampering behind the app's back."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection, transaction
from django.db.utils import DatabaseError

from apps.audit.models import AuditAction
from apps.audit.services import audit_record_access
from apps.people.models import User
from tests.conftest import DEMO_PASSWORD

TABLE = "audit_auditrecord"


def on_postgresql() -> bool:
    return connection.vendor == "postgresql"


def make_officer(name: str, **fields) -> User:
    user = User.objects.create_user(
        name,
        email=f"{name}@example.com",
        password=DEMO_PASSWORD,
        first_name=name.capitalize(),
        last_name="Officer",
        is_staff=True,
        **fields,
    )
    user.user_permissions.add(
        Permission.objects.get(
            content_type__app_label="audit", codename="view_auditrecord"
        )
    )
    return user


@pytest.fixture
def officer(db) -> User:
    return make_officer("olivia")


@pytest.fixture
def chain(alice, bob, officer) -> list:
    """Six records: alice's own reads, an officer's reads of alice and bob."""
    reads = [
        (alice.user, alice, "Subject viewing their own data"),
        (officer, alice, "Case 7: data leak"),
        (officer, bob, "Case 7: data leak"),
        (alice.user, alice, "Subject viewing their own data"),
        (officer, alice, "Case 7: data leak"),
        (bob.user, bob, "Subject viewing their own data"),
    ]
    return [
        audit_record_access(
            actor=actor,
            subject=subject,
            action=AuditAction.READ_RECORDS,
            purpose=purpose,
            dataset_key="keystrokes",
            detail={"page": 1, "case_id": 7} if actor == officer else {"page": 1},
        )
        for actor, subject, purpose in reads
    ]


def tamper(sql: str, params=(), *, table: str = TABLE) -> None:
    """Run `sql` as someone with direct database access would.

    On PostgreSQL the triggers refuse it first (asserted); then, as the
    superuser the tests run as, they are disabled for this statement only,
    which is what a DBA covering their tracks would have to do.
    """
    with connection.cursor() as cursor:
        if on_postgresql():
            with pytest.raises(DatabaseError, match="append-only"):
                with transaction.atomic():
                    cursor.execute(sql, params)
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            cursor.execute(sql, params)
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        else:
            cursor.execute(sql, params)
