"""From seeded stores to the page: the counts an employee sees are the truth.

Seeds the demo monitoring system, loads the demo catalog and the roster it
wrote, then compares every count on "My data" with the store's own answer
computed here with plain SQL and a directory walk, independently of the
connectors.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.urls import reverse

from apps.catalog.models import Dataset
from apps.people.models import Employee
from apps.people.selectors import subject_identifiers

pytestmark = pytest.mark.django_db(databases=["default", "telemetry"], transaction=True)

DEMO_CATALOG = Path(settings.BASE_DIR) / "catalog" / "demo.yaml"


@pytest.fixture
def demo(tmp_path, settings):
    settings.TELEMETRY_FILES_ROOT = tmp_path / "files"
    roster = tmp_path / "roster.csv"
    call_command("load_catalog", str(DEMO_CATALOG), verbosity=0)
    call_command(
        "seed_telemetry",
        employees=6,
        days=3,
        seed=11,
        roster_out=roster,
        verbosity=0,
    )
    call_command("import_roster", str(roster), verbosity=0)
    return Employee.objects.order_by("employee_number")


def store_truth(employee: Employee, dataset: Dataset) -> int:
    identifiers = subject_identifiers(employee=employee, kind=dataset.identifier_kind)
    if dataset.store.kind == "files":
        root = Path(settings.TELEMETRY_FILES_ROOT)
        return sum(
            1
            for value in identifiers
            for path in (root / dataset.location.format(identifier=value)).rglob("*")
            if path.is_file()
        )
    with connections["telemetry"].cursor() as cursor:
        quote = connections["telemetry"].ops.quote_name
        placeholders = ", ".join(["%s"] * len(identifiers))
        cursor.execute(
            f"SELECT count(*) FROM {quote(dataset.location)} "  # noqa: S608
            f"WHERE {quote(dataset.subject_field)} IN ({placeholders})",
            identifiers,
        )
        return cursor.fetchone()[0]


def shown_counts(client, employee: Employee) -> dict[str, int]:
    client.force_login(employee.user)
    response = client.get(reverse("people:my_data"))
    assert response.status_code == 200
    return {
        result.dataset.key: result.summary.count
        for section in response.context["sections"]
        for result in section["datasets"]
    }


def test_every_count_shown_equals_the_store(client, demo):
    datasets = list(Dataset.objects.select_related("store"))
    assert len(datasets) == 10
    totals = dict.fromkeys((d.key for d in datasets), 0)
    for employee in demo:
        shown = shown_counts(client, employee)
        truth = {d.key: store_truth(employee, d) for d in datasets}
        assert shown == truth, employee.employee_number
        for key, count in shown.items():
            totals[key] += count
    # Everybody together holds every row: nothing is keyed to nobody.
    for dataset in datasets:
        if dataset.store.kind == "sql":
            with connections["telemetry"].cursor() as cursor:
                table = connections["telemetry"].ops.quote_name(dataset.location)
                cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
                assert totals[dataset.key] == cursor.fetchone()[0], dataset.key
    assert all(totals[key] > 0 for key in totals), totals


def test_no_employee_reaches_another_by_any_dataset_url(client, demo):
    first, second = demo[0], demo[1]
    client.force_login(second.user)
    for dataset in Dataset.objects.all():
        url = reverse(
            "people:subject_dataset",
            kwargs={"public_id": first.public_id, "key": dataset.key},
        )
        assert client.get(url).status_code == 404, dataset.key
        own = reverse(
            "people:subject_dataset",
            kwargs={"public_id": second.public_id, "key": dataset.key},
        )
        assert client.get(own).status_code == 200, dataset.key


def test_a_demo_capture_is_served_only_to_its_subject(client, demo):
    first, second = demo[0], demo[1]
    client.force_login(first.user)
    page = client.get(
        reverse(
            "people:subject_dataset",
            kwargs={"public_id": first.public_id, "key": "screen_captures"},
        )
    )
    key = page.context["page"].records[0].key
    url = reverse(
        "people:subject_file",
        kwargs={
            "public_id": first.public_id,
            "key": "screen_captures",
            "file_key": key,
        },
    )
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    client.force_login(second.user)
    assert client.get(url).status_code == 404
