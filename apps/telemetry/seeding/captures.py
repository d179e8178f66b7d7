"""Screen capture files: real PNGs, written fast.

Rendering a PNG per capture would dominate seeding time, so one small image
per application is rendered once and its bytes are written for every capture
of that application. Each file's mtime is set to its capture time because
file-store connectors date files by mtime.

A seed writes into a staging folder and publish() swaps it in for the live
captures folder when the database transaction is about to commit, so a
failed seed leaves the previous files as they were, like the previous rows.
"""

import io
import os
import queue
import shutil
import tempfile
import threading
from datetime import datetime
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw

from apps.telemetry.seeding.vocabulary import APPS

CAPTURE_SIZE = (160, 100)
CAPTURES_DIR = "captures"
STAGING_PREFIX = ".seeding-"

# One title-bar colour per application so the pool's images differ visibly.
_PALETTE = (
    (0, 114, 198),
    (98, 100, 167),
    (219, 68, 55),
    (33, 115, 70),
    (43, 87, 154),
    (183, 71, 42),
    (74, 21, 75),
    (0, 122, 204),
    (0, 82, 204),
    (0, 161, 224),
    (45, 140, 255),
    (40, 40, 40),
)


def render_capture(app: str, colour: tuple[int, int, int]) -> bytes:
    """A small 'screenshot': a window with a title bar, text lines and a panel."""
    width, height = CAPTURE_SIZE
    image = Image.new("RGB", CAPTURE_SIZE, (245, 245, 245))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width, 14), fill=colour)
    draw.text((4, 2), app, fill=(255, 255, 255))
    draw.rectangle((4, 20, 44, height - 6), fill=(225, 228, 232))
    for line, y in enumerate(range(22, height - 10, 10)):
        draw.line((50, y, width - 10 - (line * 13) % 50, y), fill=(120, 120, 120))
    draw.ellipse((width - 30, height - 30, width - 8, height - 8), outline=colour)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


@cache
def capture_pool() -> dict[str, bytes]:
    """PNG bytes for each application, rendered once per process."""
    return {
        app: render_capture(app, _PALETTE[n % len(_PALETTE)])
        for n, app in enumerate(APPS)
    }


class CaptureFiles:
    """Writes capture PNGs under a root folder, on a background thread.

    Creating a folder and a file costs the filesystem far more than the
    database work for the same row, and the calls release the GIL, so one
    writer thread overlaps them with row generation and loading. Use as a
    context manager: leaving it waits for every file and re-raises the first
    error the writer met. The queue is bounded so memory stays flat.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.pool = capture_pool()
        self._queue: queue.Queue[tuple[str, bytes, float] | None] = queue.Queue(
            maxsize=10_000
        )
        self._error: Exception | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> "CaptureFiles":
        self._thread = threading.Thread(
            target=self._drain, name="capture-writer", daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._error is not None and exc_info[0] is None:
            raise self._error

    def write(self, relative_path: str, *, app: str, at: datetime) -> None:
        """Queue the app's PNG for ``relative_path``, to be dated ``at``."""
        if self._error is not None:
            raise self._error
        path = os.path.join(self.root, relative_path)
        self._queue.put((path, self.pool[app], at.timestamp()))

    def _drain(self) -> None:
        while (item := self._queue.get()) is not None:
            if self._error is not None:
                continue  # keep taking items so the producer never blocks
            try:
                self._write_now(*item)
            except Exception as error:  # reported to the producer, not lost
                self._error = error

    def _write_now(self, path: str, data: bytes, stamp: float) -> None:
        try:
            handle = open(path, "wb")
        except FileNotFoundError:
            # Folders are per device and day: create them on first use only.
            os.makedirs(os.path.dirname(path), exist_ok=True)
            handle = open(path, "wb")
        with handle:
            handle.write(data)
        os.utime(path, (stamp, stamp))


def new_staging_root(files_root: Path) -> Path:
    """A new folder inside ``files_root`` for a seed to write its captures into.

    Staging folders that crashed runs left behind are removed first. The
    folder sits beside ``captures``, so no store connector ever lists it.
    """
    files_root.mkdir(parents=True, exist_ok=True)
    for stale in files_root.glob(f"{STAGING_PREFIX}*"):
        shutil.rmtree(stale, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=files_root))


def publish(staging: Path, files_root: Path) -> None:
    """Replace the live captures folder with the staged one.

    Both renames stay on one filesystem, so each is atomic. The old folder
    moves into ``staging``; discard(staging) deletes it, out of the
    connectors' sight and outside the caller's transaction.
    """
    live = files_root / CAPTURES_DIR
    staged = staging / CAPTURES_DIR
    if live.exists():
        live.rename(staging / "replaced")
    if staged.exists():
        staged.rename(live)


def discard(staging: Path) -> None:
    """Delete a staging folder and everything in it."""
    shutil.rmtree(staging, ignore_errors=True)
