"""Fixtures for the demo monitoring system: a tiny seed and table checksums."""

import hashlib
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connections

from apps.telemetry.routers import TELEMETRY_ALIAS
from apps.telemetry.seeding.service import DATA_MODELS

# Small enough to seed in well under a second, large enough to hold a
# manager tree, two-device employees and several rows of every table.
SMALL = ["--employees", "6", "--days", "3", "--seed", "7"]

telemetry_db = pytest.mark.django_db(
    databases=["default", "telemetry"], transaction=True
)


@pytest.fixture
def files_root(settings, tmp_path) -> Path:
    settings.TELEMETRY_FILES_ROOT = tmp_path / "files"
    return settings.TELEMETRY_FILES_ROOT


def seed(*args: str) -> str:
    """Run seed_telemetry quietly; returns what it printed."""
    from io import StringIO

    out = StringIO()
    call_command("seed_telemetry", *args, verbosity=0, stdout=out)
    return out.getvalue()


def table_checksums() -> dict[str, str]:
    """A digest of every data table's rows in id order, by table name."""
    digests = {}
    with connections[TELEMETRY_ALIAS].cursor() as cursor:
        for model in DATA_MODELS:
            table = model._meta.db_table
            cursor.execute(f"SELECT * FROM {table} ORDER BY id")  # noqa: S608
            digest = hashlib.sha256()
            for row in cursor.fetchall():
                digest.update(repr(row).encode())
            digests[table] = digest.hexdigest()
    return digests


def files_checksum(root: Path) -> str:
    """A digest of every file's path, bytes and mtime under ``root``."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
            digest.update(str(path.stat().st_mtime).encode())
    return digest.hexdigest()
