"""seed_telemetry: deterministic, idempotent, careful with other data."""

import pytest
from django.core.management.base import CommandError
from django.db import connections
from django.utils import timezone

from apps.telemetry.models import KeystrokeEvent, SeedRun
from apps.telemetry.seeding import service
from apps.telemetry.seeding.service import DATA_MODELS
from tests.telemetry.conftest import (
    SMALL,
    files_checksum,
    seed,
    table_checksums,
    telemetry_db,
)


@telemetry_db
def test_it_writes_the_same_rows_and_files_for_the_same_arguments(files_root):
    seed(*SMALL)
    rows, files = table_checksums(), files_checksum(files_root)

    seed(*SMALL, "--reset")

    assert table_checksums() == rows
    assert files_checksum(files_root) == files


@telemetry_db
def test_it_writes_other_rows_for_another_seed(files_root):
    seed(*SMALL)
    rows = table_checksums()

    seed("--employees", "6", "--days", "3", "--seed", "8", "--reset")

    changed = {t for t, digest in table_checksums().items() if digest != rows[t]}
    assert "telemetry_keystroke" in changed
    assert "telemetry_chat_message" in changed


@telemetry_db
def test_it_changes_nothing_when_run_again_with_the_same_arguments(files_root):
    seed(*SMALL)
    run = SeedRun.objects.get()
    rows, files = table_checksums(), files_checksum(files_root)

    output = seed(*SMALL)

    assert "Already seeded" in output
    assert SeedRun.objects.get() == run
    assert SeedRun.objects.get().finished_at == run.finished_at
    assert table_checksums() == rows
    assert files_checksum(files_root) == files


@telemetry_db
def test_it_refuses_other_arguments_without_reset(files_root):
    seed(*SMALL)
    rows = table_checksums()

    with pytest.raises(CommandError, match="--reset"):
        seed("--employees", "7", "--days", "3", "--seed", "7")

    assert table_checksums() == rows
    assert SeedRun.objects.get().params["employees"] == 6


@telemetry_db
def test_it_refuses_rows_that_no_seed_run_wrote(files_root):
    KeystrokeEvent.objects.create(
        device_serial="SN-OTHER",
        captured_at=timezone.now(),
        app="Word",
        window_title="notes.docx",
        typed_text="not seeded",
    )

    with pytest.raises(CommandError, match="telemetry_keystroke"):
        seed(*SMALL)

    assert KeystrokeEvent.objects.get().typed_text == "not seeded"
    assert not SeedRun.objects.exists()


@telemetry_db
def test_reset_erases_other_rows_and_stray_capture_files(files_root):
    seed(*SMALL)
    stray = files_root / "captures" / "SN-GONE" / "2020-01-01" / "1.png"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"old")

    seed("--employees", "2", "--days", "1", "--seed", "7", "--reset")

    assert not stray.exists()
    run = SeedRun.objects.get()
    assert run.params["employees"] == 2
    serials = set(KeystrokeEvent.objects.values_list("device_serial", flat=True))
    assert {s[:8] for s in serials} <= {"PF000001", "PF000002"}


@telemetry_db
def test_it_seeds_about_33_rows_per_employee_day(files_root):
    seed("--employees", "30", "--days", "5", "--seed", "1")

    run = SeedRun.objects.get()
    with connections["telemetry"].cursor() as cursor:
        counted = {}
        for model in DATA_MODELS:
            table = model._meta.db_table
            cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
            counted[table] = cursor.fetchone()[0]
    # Joiners and leavers miss a few days, so the ratio sits a little under 33.
    assert counted == run.row_counts
    assert 28 <= sum(counted.values()) / (30 * 5) <= 36
    assert all(counted[t] > 0 for t in counted if t != "telemetry_performance_note")


@telemetry_db
def test_a_failed_reseed_leaves_the_previous_rows_and_files(files_root, monkeypatch):
    seed(*SMALL)
    rows, files = table_checksums(), files_checksum(files_root)

    def broken_pipeline(*args, **kwargs):
        raise RuntimeError("corpus pipeline down")

    monkeypatch.setattr(service, "corpus_rows", broken_pipeline)
    with pytest.raises(RuntimeError, match="corpus pipeline down"):
        seed("--employees", "9", "--days", "2", "--seed", "7", "--reset")

    assert table_checksums() == rows
    assert files_checksum(files_root) == files
    assert [p.name for p in files_root.iterdir()] == ["captures"]
