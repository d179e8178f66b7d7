"""Screen captures are real PNG files, dated by when they were captured."""

from datetime import UTC, datetime

import pytest
from PIL import Image

from apps.telemetry.models import ScreenCapture
from apps.telemetry.seeding.captures import CaptureFiles
from apps.telemetry.seeding.vocabulary import APPS
from tests.telemetry.conftest import SMALL, seed, telemetry_db


@telemetry_db
def test_every_capture_row_has_a_png_dated_by_its_capture(files_root):
    seed(*SMALL, "--captures-per-day", "2")

    captures = list(ScreenCapture.objects.order_by("id"))
    on_disk = sorted(files_root.rglob("*.png"))
    assert len(captures) == len(on_disk) > 0
    for capture in captures:
        path = files_root / capture.file_path
        assert capture.file_path == (
            f"captures/{capture.device_serial}/"
            f"{capture.captured_at:%Y-%m-%d}/{capture.pk}.png"
        )
        with Image.open(path) as image:
            assert image.format == "PNG"
            assert image.size == (capture.width, capture.height)
            image.verify()
        assert path.stat().st_mtime == capture.captured_at.timestamp()


@telemetry_db
def test_it_writes_no_files_when_captures_are_off(files_root):
    seed(*SMALL, "--captures-per-day", "0")

    assert not ScreenCapture.objects.exists()
    assert not list(files_root.rglob("*.png"))


def test_a_failing_write_is_raised_when_the_writer_closes(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the captures folder should be")
    at = datetime(2026, 10, 1, 9, tzinfo=UTC)

    with pytest.raises(OSError), CaptureFiles(blocker) as files:
        files.write("captures/SN-1/2026-10-01/1.png", app=APPS[0], at=at)
