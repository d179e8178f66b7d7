"""Fixtures shared by every test module: users named alice, bob and charlie.

App-specific fixtures live in tests/<app>/conftest.py.
"""

import pytest
from django.core.cache import cache

from apps.people.models import Employee, Identifier, IdentifierKind, User

DEMO_PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Cached store counts must never leak from one test into the next."""
    cache.clear()
    yield
    cache.clear()


def make_employee(
    name: str, *, number: str, device: str | None = None, **fields
) -> Employee:
    user = User.objects.create_user(
        username=f"{name}@example.com",
        email=f"{name}@example.com",
        password=DEMO_PASSWORD,
    )
    employee = Employee.objects.create(
        user=user,
        employee_number=number,
        work_email=f"{name}@example.com",
        full_name=name.capitalize(),
        **fields,
    )
    if device:
        Identifier.objects.create(
            employee=employee, kind=IdentifierKind.DEVICE_SERIAL, value=device
        )
    return employee


@pytest.fixture
def alice(db) -> Employee:
    return make_employee("alice", number="E00001", device="SN-ALICE-1")


@pytest.fixture
def bob(db) -> Employee:
    return make_employee("bob", number="E00002", device="SN-BOB-1")


@pytest.fixture
def charlie(db) -> Employee:
    return make_employee("charlie", number="E00003", device="SN-CHARLIE-1")
