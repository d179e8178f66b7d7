"""Reports fixtures: a catalog with Art. 30 fields, users in each role, and
request history made through apps.reports.sample (legal transitions)."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.catalog.models import DpiaStatus, LegalBasis, Program
from apps.governance.services.roles import roles_sync
from apps.people.models import Department, Employee
from apps.reports.sample import sample_requests_create
from portal.celery import app as celery_app
from tests.governance.conftest import make_user


@pytest.fixture
def roles(db):
    roles_sync()


@pytest.fixture
def users(roles):
    """One user per role, each also an employee."""
    names = [
        "employee", "manager", "hr", "privacy_officer", "dpo",
        "security_investigator", "auditor", "regulator",
    ]  # fmt: skip
    return {
        role: make_user(role.replace("_", ""), role, employee_number=f"U{n:03}")
        for n, role in enumerate(names, start=1)
    }


@pytest.fixture
def organisation(settings):
    settings.REPORTS_CONTROLLER_NAME = "Acme Widgets Ltd"
    settings.REPORTS_CONTROLLER_CONTACT = "1 High Street, London; privacy@acme.test"
    settings.REPORTS_DPO_NAME = "Dana Ode"
    settings.REPORTS_DPO_CONTACT = "dpo@acme.test"
    settings.REPORTS_REPRESENTATIVE = "Acme EU BV, Amsterdam"
    settings.REPORTS_JOINT_CONTROLLERS = ""


def full_program(key: str, **fields) -> Program:
    values = {
        "key": key,
        "name": key.replace("_", " ").title(),
        "purpose": f"Purpose of {key}",
        "legal_basis": LegalBasis.LEGITIMATE_INTERESTS,
        "legitimate_interests_assessment": f"LIA-{key}",
        "data_subjects": ["employee"],
        "data_categories": ["user.behavior.keystrokes", "user.device.device_id"],
        "data_uses": ["essential.service.security"],
        "recipients": ["IT Security team", "Vendor (processor)"],
        "source": "Endpoint agent",
        "retention_days": 90,
        "leaver_retention_days": 30,
        "international_transfers": "Backups in the United States",
        "transfer_safeguards": "EU SCCs 2021/914 module 2",
        "dpia_status": DpiaStatus.APPROVED,
        "dpia_reference": f"DPIA-{key}",
        "security_measures": "Encrypted at rest; reads through approved cases",
        "automated_decision_making": "",
        **fields,
    }
    return Program.objects.create(**values)


@pytest.fixture
def programs(db, organisation):
    """Two complete programs and one missing its security measures and
    recipients (incomplete)."""
    return [
        full_program("endpoint_monitoring"),
        full_program(
            "ai_training",
            legal_basis=LegalBasis.CONSENT,
            legitimate_interests_assessment="",
            international_transfers="",
            transfer_safeguards="",
            dpia_status=DpiaStatus.IN_PROGRESS,
        ),
        full_program("chat_archive", security_measures="", recipients=[]),
    ]


@pytest.fixture
def history(users):
    """60 requests over the last year, by six employees."""
    subjects = [
        make_user(f"subject{n}", employee_number=f"H{n:03}").employee for n in range(6)
    ]
    sample_requests_create(
        count=60,
        subjects=subjects,
        filed_by=users["privacy_officer"],
        now=timezone.now(),
        seed=7,
    )
    return subjects


def department_of(name: str, size: int, prefix: str) -> list[Employee]:
    """A department of `size` new employees."""
    department = Department.objects.create(name=name)
    people = []
    for n in range(size):
        employee = make_user(f"{prefix}{n}", employee_number=f"{prefix}{n:03}").employee
        employee.department = department
        employee.save(update_fields=["department"])
        people.append(employee)
    return people


@pytest.fixture
def eager_celery():
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def bundle_dir(settings, tmp_path):
    settings.REPORTS_BUNDLE_DIR = tmp_path / "bundles"
    return settings.REPORTS_BUNDLE_DIR


PERIOD_START = dt.date(2000, 1, 1)
