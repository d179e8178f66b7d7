"""Catalog rows and cases for governance tests (no store is read)."""

import datetime as dt

from apps.catalog.models import Dataset, Program, Store
from apps.governance.services.cases import case_approve, case_open
from tests.governance.conftest import WINDOW_END, WINDOW_START


def make_program(key: str = "endpoint", **fields) -> Program:
    defaults = {
        "name": key.capitalize(),
        "purpose": "Protect laptops",
        "legal_basis": "legitimate_interests",
        "data_subjects": ["employee"],
        "access": ["Security investigators, through an approved case"],
        "retention_days": 90,
    }
    return Program.objects.create(key=key, **{**defaults, **fields})


def make_dataset(key: str, program: Program | None = None, **fields) -> Dataset:
    store, _ = Store.objects.get_or_create(
        key="mon",
        defaults={
            "name": "Monitoring DB",
            "kind": "sql",
            "connection": {"database_alias": "telemetry"},
        },
    )
    defaults = {
        "name": key.capitalize(),
        "location": f"{key}_table",
        "subject_field": "device_serial",
        "identifier_kind": "device_serial",
        "timestamp_field": "captured_at",
    }
    return Dataset.objects.create(
        store=store,
        program=program or make_program(f"program-{key}"),
        key=key,
        **{**defaults, **fields},
    )


def open_case(requester, subject, datasets, **fields):
    defaults = {
        "window_start": WINDOW_START,
        "window_end": WINDOW_END,
        "justification": "Suspected exfiltration, ticket SEC-1",
    }
    return case_open(
        requester=requester,
        subject=subject,
        datasets=datasets,
        **{**defaults, **fields},
    )


def approved_case(requester, approver, subject, datasets, **fields):
    case = open_case(requester, subject, datasets, **fields)
    return case_approve(case=case, approver=approver, reason="Proportionate")


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)
