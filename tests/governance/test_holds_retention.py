"""Legal holds and retention against the real stores (SQLite or PostgreSQL)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections
from django.urls import reverse

from apps.audit.models import AuditRecord
from apps.governance import actions
from apps.governance.models import LegalHold, RetentionEntry, RetentionRunStatus
from apps.governance.selectors.holds import held_datasets_for
from apps.governance.services import retention as retention_services
from apps.governance.services.holds import legal_hold_place, legal_hold_release
from apps.governance.services.retention import retention_run_all
from tests.monitoring_fixtures import EVENTS_TABLE

pytestmark = pytest.mark.django_db(databases=["default", "telemetry"], transaction=True)

# The fixture's records are from October and November 2026; retention is 90 days.
RUN_AT = dt.datetime(2027, 1, 31, 12, 0, tzinfo=dt.UTC)  # cutoff: 2 Nov 2026 12:00


@pytest.fixture
def at_run_time(monkeypatch):
    monkeypatch.setattr(retention_services, "now", lambda: RUN_AT)


def texts() -> list[str]:
    with connections["telemetry"].cursor() as cursor:
        cursor.execute(f"SELECT typed_text FROM {EVENTS_TABLE} ORDER BY id")  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


def test_held_datasets_name_the_hold(privacy_officer, alice, bob, catalog):
    hold = legal_hold_place(
        placed_by=privacy_officer,
        employee=alice,
        datasets=[catalog["keystrokes"]],
        reason="Litigation L-7",
    )
    assert held_datasets_for(employee=alice) == {catalog["keystrokes"].pk: hold}
    assert held_datasets_for(employee=bob) == {}
    everything = legal_hold_place(
        placed_by=privacy_officer, employee=bob, all_datasets=True, reason="L-8"
    )
    assert held_datasets_for(employee=bob) == {
        catalog["keystrokes"].pk: everything,
        catalog["screens"].pk: everything,
    }
    legal_hold_release(hold=hold, released_by=privacy_officer, reason="Settled")
    assert held_datasets_for(employee=alice) == {}
    assert AuditRecord.objects.filter(action=actions.LEGAL_HOLD_PLACED).count() == 2
    assert AuditRecord.objects.filter(action=actions.LEGAL_HOLD_RELEASED).count() == 1


def test_holds_need_an_officer_a_reason_and_a_scope(
    privacy_officer, investigator, alice, catalog
):
    with pytest.raises(PermissionDenied):
        legal_hold_place(
            placed_by=investigator, employee=alice, all_datasets=True, reason="x"
        )
    with pytest.raises(ValidationError):
        legal_hold_place(placed_by=privacy_officer, employee=alice, reason="x")
    with pytest.raises(ValidationError):
        legal_hold_place(
            placed_by=privacy_officer, employee=alice, all_datasets=True, reason=" "
        )
    assert not LegalHold.objects.exists()


def test_an_ended_hold_holds_nothing(privacy_officer, alice, catalog):
    legal_hold_place(
        placed_by=privacy_officer,
        employee=alice,
        all_datasets=True,
        reason="x",
        starts_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        ends_at=dt.datetime(2026, 2, 1, tzinfo=dt.UTC),
    )
    assert held_datasets_for(employee=alice) == {}


def test_retention_deletes_old_records_but_not_held_ones(
    privacy_officer, alice, bob, catalog, at_run_time, roles
):
    legal_hold_place(
        placed_by=privacy_officer,
        employee=bob,
        datasets=[catalog["keystrokes"]],
        reason="Litigation L-7",
    )
    run = retention_run_all(batch_size=1)
    assert run.status == RetentionRunStatus.SUCCEEDED
    # Older than 2 Nov 12:00: alice's a and b go; bob's two are held.
    assert texts() == ["alice wrote c", "bob secret one", "bob secret two"]
    entry = RetentionEntry.objects.get(run=run, dataset_key="keystrokes")
    assert (entry.deleted, entry.skipped_for_hold, entry.held_employees) == (2, 2, 1)
    assert "legal hold" in entry.note
    screens = RetentionEntry.objects.get(run=run, dataset_key="screens")
    assert (screens.deleted, screens.skipped_for_hold) == (0, 0)
    record = AuditRecord.objects.get(action=actions.RETENTION_ERASED)
    assert (record.dataset_key, record.detail["deleted"]) == ("keystrokes", 2)
    assert (
        retention_run_all(batch_size=1).entries.get(dataset_key="keystrokes").deleted
        == 0
    )


def test_leavers_are_purged_after_the_leaver_period_unless_held(
    privacy_officer, alice, bob, catalog, roles, settings
):
    program = catalog["program"]
    program.retention_days = 100000  # Only the leaver rule applies here.
    program.leaver_retention_days = 30
    program.save()
    for employee in (alice, bob):
        employee.is_leaver = True
        employee.left_on = dt.date(2026, 1, 1)
        employee.save()
    legal_hold_place(
        placed_by=privacy_officer, employee=bob, all_datasets=True, reason="Tribunal"
    )
    run = retention_run_all()
    assert texts() == ["bob secret one", "bob secret two"]
    assert not (settings.TELEMETRY_FILES_ROOT / "captures/SN-ALICE-1").exists()
    assert (
        settings.TELEMETRY_FILES_ROOT / "captures/SN-BOB-1/2026-11-05/3.png"
    ).exists()
    entries = {
        (e.employee_id, e.dataset_key): (e.deleted, e.skipped_for_hold)
        for e in RetentionEntry.objects.filter(run=run, kind="leaver")
    }
    assert entries == {
        (alice.pk, "keystrokes"): (3, 0),
        (alice.pk, "screens"): (2, 0),
        (bob.pk, "keystrokes"): (0, 2),
        (bob.pk, "screens"): (0, 1),
    }
    held = RetentionEntry.objects.get(run=run, employee=bob, dataset_key="keystrokes")
    assert "Tribunal" in held.note
    assert (
        AuditRecord.objects.filter(
            action=actions.LEAVER_DATA_PURGED, subject=alice
        ).count()
        == 2
    )


def test_one_run_at_a_time(catalog, at_run_time):
    first = retention_services._claim()
    assert first is not None
    assert retention_run_all() is None


def test_hold_pages(client, privacy_officer, auditor, alice, bob, catalog):
    client.force_login(privacy_officer)
    response = client.post(
        reverse("governance:hold_new"),
        {"employee": "E00001", "all_datasets": "on", "reason": "Litigation"},
    )
    assert response.status_code == 302
    hold = LegalHold.objects.get()
    assert (hold.employee, hold.all_datasets) == (alice, True)
    client.force_login(auditor)
    listing = client.get(reverse("governance:hold_list"))
    assert [h.pk for h in listing.context["holds"]] == [hold.pk]
    release = reverse("governance:hold_release", kwargs={"pk": hold.pk})
    assert client.post(release, {"reason": "x"}).status_code == 404
    client.force_login(bob.user)
    assert client.get(reverse("governance:hold_list")).status_code == 404
    client.force_login(privacy_officer)
    assert client.get(release).status_code == 405
    assert client.post(release, {"reason": "Settled"}).status_code == 302
    hold.refresh_from_db()
    assert hold.released_at is not None
    client.logout()
    assert client.get(reverse("governance:hold_list")).status_code == 302
