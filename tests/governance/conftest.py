"""Governance fixtures: users in each role (no password hashing: force_login),
the role groups synced, and Celery run eagerly for the notice task."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group

from apps.governance.services.roles import roles_sync
from apps.people.models import Employee, User
from portal.celery import app as celery_app

WINDOW_START = dt.datetime(2026, 11, 2, 0, 0, tzinfo=dt.UTC)
WINDOW_END = dt.datetime(2026, 11, 3, 0, 0, tzinfo=dt.UTC)


@pytest.fixture
def roles(db):
    """The role groups (a transactional test's flush removes the migration's)."""
    roles_sync()


def make_user(name: str, *role_names: str, employee_number: str | None = None) -> User:
    user = User.objects.create(
        username=f"{name}@example.com", email=f"{name}@example.com"
    )
    user.set_unusable_password()
    user.save()
    for role in role_names:
        user.groups.add(Group.objects.get(name=role))
    if employee_number:
        Employee.objects.create(
            user=user,
            employee_number=employee_number,
            work_email=f"{name}@example.com",
            full_name=name.capitalize(),
        )
    return user


@pytest.fixture
def investigator(roles) -> User:
    return make_user("ivan", "security_investigator", employee_number="S001")


@pytest.fixture
def privacy_officer(roles) -> User:
    return make_user("olga", "privacy_officer", employee_number="S002")


@pytest.fixture
def dpo(roles) -> User:
    return make_user("dora", "dpo", employee_number="S003")


@pytest.fixture
def auditor(roles) -> User:
    return make_user("aldo", "auditor", employee_number="S004")


@pytest.fixture
def eager_celery():
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous
