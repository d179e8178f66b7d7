"""`seed_demo`: what `make run` seeds, and running it twice changes nothing."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse

from apps.consent.models import Notice
from apps.people.models import Employee, User

pytestmark = pytest.mark.django_db(databases=["default", "telemetry"], transaction=True)


def seed_demo() -> str:
    out = StringIO()
    call_command("seed_demo", employees=9, days=1, seed=3, stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    return {
        "users": list(User.objects.order_by("pk").values_list("pk", "password")),
        "groups": list(
            User.groups.through.objects.order_by("pk").values_list("user", "group")
        ),
        "employees": Employee.objects.count(),
        "notices": list(Notice.objects.values_list("program__key", "version")),
    }


def test_it_seeds_sign_ins_for_employees_and_every_staff_role(tmp_path, settings):
    settings.VAR_DIR = tmp_path
    settings.TELEMETRY_FILES_ROOT = tmp_path / "files"
    printed = seed_demo()
    assert Employee.objects.count() == 9
    assert Notice.objects.filter(program__key="ai_model_training").count() == 1
    roles = {
        "privacy_officer",
        "dpo",
        "security_investigator",
        "hr",
        "auditor",
    }
    holders = {group: User.objects.filter(groups__name=group).get() for group in roles}
    for user in holders.values():
        assert user.get_username() in printed
        assert user.is_staff and not user.is_superuser
        # A request, as the sign-in page gives: the lockout backend needs it.
        request = RequestFactory().post(reverse("login"))
        assert (
            authenticate(request, username=user.username, password="candor-demo")
            == user
        )
    admin = User.objects.get(username="admin@example.com")
    assert admin.is_superuser
    assert not admin.groups.exists()  # administration reads no one's data


def test_running_it_twice_changes_nothing(tmp_path, settings):
    settings.VAR_DIR = tmp_path
    settings.TELEMETRY_FILES_ROOT = tmp_path / "files"
    seed_demo()
    before = snapshot()
    seed_demo()
    assert snapshot() == before
