"""Roles: exact groups and permissions, least privilege, the generated doc."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.management import call_command

from apps.governance.matrix import render_matrix
from apps.governance.models import Case
from apps.governance.permissions import has_capability, readable_cases
from apps.governance.roles import ROLES
from apps.governance.services import notices
from apps.governance.services.notices import case_notices_due, case_notify_subject
from apps.governance.services.roles import roles_sync
from apps.people.models import User
from tests.governance.conftest import make_user
from tests.governance.factories import approved_case, make_dataset

pytestmark = pytest.mark.django_db


def held(group: Group) -> set[str]:
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in group.permissions.select_related("content_type")
    }


def test_the_migration_made_every_role_with_exactly_its_permissions():
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLES)
    for role in ROLES.values():
        assert held(Group.objects.get(name=role.name)) == role.permissions


def test_sync_is_idempotent_and_corrects_hand_edits(roles):
    hr = Group.objects.get(name="hr")
    hr.permissions.add(Permission.objects.get(codename="view_telemetry"))
    assert roles_sync()["hr"] == (0, 1)
    assert set(roles_sync().values()) == {(0, 0)}
    call_command("sync_roles", stdout=io.StringIO())
    assert held(hr) == ROLES["hr"].permissions


def test_no_role_reads_telemetry_or_decides_and_opens():
    for role in ROLES.values():
        assert "people.view_telemetry" not in role.permissions
        assert "governance.read_under_case" not in role.permissions
        assert (
            not {"governance.open_case", "governance.decide_case"} <= role.permissions
        )


def test_a_group_holding_the_model_permission_lists_no_case(
    investigator, dpo, alice, roles
):
    """guardian defaults to accept_global_perms=True: a model-wide permission
    would list every object. It must list nothing here."""
    keystrokes = make_dataset("keystrokes")
    approved_case(investigator, dpo, alice, [keystrokes])
    wide = make_user("wide", "privacy_officer")
    group = Group.objects.create(name="everything")
    group.permissions.add(Permission.objects.get(codename="read_under_case"))
    wide.groups.add(group)
    assert not readable_cases(user=wide, subject=alice).exists()
    root = User.objects.create_superuser("root")
    root.groups.add(Group.objects.get(name="security_investigator"))
    assert not readable_cases(user=root, subject=alice).exists()
    assert readable_cases(user=investigator, subject=alice).count() == 1


def test_superusers_hold_no_capability(roles):
    root = User.objects.create_superuser("root")
    assert not has_capability(user=root, perm="governance.decide_case")


def test_the_committed_matrix_is_current():
    committed = Path(settings.BASE_DIR / "docs" / "permissions.md").read_text()
    assert committed == render_matrix(), (
        "run: python manage.py permission_matrix --write docs/permissions.md"
    )


def test_every_page_in_the_matrix_states_its_rule():
    assert "not described" not in render_matrix()


def test_a_delayed_notice_waits_for_its_time(investigator, dpo, alice, monkeypatch):
    keystrokes = make_dataset("keystrokes")
    case = approved_case(
        investigator,
        dpo,
        alice,
        [keystrokes],
        notify_delay_days=10,
        notify_delay_reason="Interviews first",
    )
    assert case_notices_due() == []
    assert not case_notify_subject(case_id=case.pk)
    later = case.notify_subject_after + dt.timedelta(seconds=1)
    monkeypatch.setattr(notices, "now", lambda: later)
    assert case_notices_due() == [case.pk]
    assert case_notify_subject(case_id=case.pk)
    assert not case_notify_subject(case_id=case.pk)  # Once only.
    (message,) = mail.outbox
    assert "Interviews first" in message.body
    assert Case.objects.get().subject_notified_at == later
