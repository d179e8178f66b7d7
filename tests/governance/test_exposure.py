"""The exposure report flags an over-shared dataset and an unregistered table."""

import csv
import io

import pytest
from django.db import connections
from django.urls import reverse

from apps.governance.models import ProgramExposureLimit
from apps.governance.permissions import telemetry_access_grant
from apps.governance.selectors.exposure import exposure_report, roles_listed
from tests.governance.conftest import make_user
from tests.governance.factories import approved_case

pytestmark = pytest.mark.django_db(databases=["default", "telemetry"], transaction=True)

SHADOW = "h5_shadow_keystrokes"


@pytest.fixture
def shadow_table(transactional_db):
    with connections["telemetry"].cursor() as cursor:
        cursor.execute(f"CREATE TABLE {SHADOW} (id integer PRIMARY KEY, text text)")
    yield SHADOW
    with connections["telemetry"].cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {SHADOW}")


@pytest.fixture
def over_shared(catalog, roles, alice, bob, dpo, investigator):
    """Keystrokes readable by an HR user and a stranger (grants) and an
    investigator (case): three readers where the program allows two."""
    ProgramExposureLimit.objects.create(program=catalog["program"], max_readers=2)
    hr = make_user("hilda", "hr")
    plain = make_user("pete")
    telemetry_access_grant(granted_by=dpo, user=hr, employee=alice, reason="x")
    telemetry_access_grant(granted_by=dpo, user=plain, employee=bob, reason="y")
    approved_case(investigator, dpo, alice, [catalog["keystrokes"]])
    return catalog


def test_it_flags_the_over_shared_dataset(over_shared, shadow_table, auditor):
    report = exposure_report(user=auditor)
    rows = {row.dataset.key: row for row in report.datasets}
    keystrokes, screens = rows["keystrokes"], rows["screens"]
    assert sorted(r.username for r in keystrokes.readers.values()) == [
        "hilda@example.com",
        "ivan@example.com",
        "pete@example.com",
    ]
    assert (keystrokes.reader_count, keystrokes.subject_count) == (3, 2)
    assert keystrokes.over_limit
    assert keystrokes.unlisted_roles == ["hr", "none"]
    assert (screens.reader_count, screens.over_limit) == (2, False)
    assert screens.flagged  # hr and a role-less user may read it
    locations = {item.location for item in report.unregistered}
    assert SHADOW in locations
    assert "pagetest_events" not in locations
    assert "captures" not in locations


def test_a_quiet_catalog_has_no_flags(catalog, auditor):
    report = exposure_report(user=auditor)
    assert [row.flagged for row in report.datasets] == [False, False]


def test_roles_are_read_from_the_access_list(catalog):
    assert roles_listed(catalog["program"]) == {"security_investigator"}


def test_the_page_and_csv(client, over_shared, shadow_table, auditor, bob):
    client.force_login(auditor)
    page = client.get(reverse("governance:exposure"))
    assert page.status_code == 200
    assert 'data-unregistered="h5_shadow_keystrokes"' in page.content.decode()
    response = client.get(reverse("governance:exposure_csv"))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    keystrokes = next(row for row in rows if row["dataset"] == "keystrokes")
    assert (keystrokes["readers"], keystrokes["over_limit"]) == ("3", "yes")
    assert any(row["dataset"] == SHADOW for row in rows)
    client.force_login(bob.user)
    assert client.get(reverse("governance:exposure")).status_code == 404
    assert client.get(reverse("governance:exposure_csv")).status_code == 404
    assert exposure_report(user=bob.user) is None


def test_a_redis_dataset_is_registered_under_its_key_prefix():
    from apps.catalog.models import Dataset, Store
    from apps.governance.selectors.exposure import _registered

    store = Store(key="cache", name="Cache", kind="redis")
    dataset = Dataset(store=store, location="presence:{identifier}:*")

    assert _registered(dataset) == "presence"
