"""The access archive: streaming encryption at rest, and the ZIP's contents
checked against the store row by row."""

import csv
import hashlib
import io
import json
import zipfile

import pytest
from django.http import Http404
from django.utils import timezone

from apps.audit.models import AuditAction, AuditRecord
from apps.rights.archive import (
    CHUNK_SIZE,
    ArchiveCorrupt,
    EncryptingWriter,
    decrypt_stream,
    derive_key,
)
from apps.rights.models import Export, RequestKind
from apps.rights.services.execution import (
    ExportUnavailable,
    export_download,
    export_stream_plain,
)
from apps.rights.services.jobs import job_run
from apps.rights.services.lifecycle import request_file
from tests.monitoring_fixtures import EVENTS

KEY = b"k" * 32


def encrypt(data: bytes, key: bytes = KEY) -> bytes:
    raw = io.BytesIO()
    writer = EncryptingWriter(raw, key)
    for start in range(0, len(data), 1000):
        writer.write(data[start : start + 1000])
    writer.close()
    return raw.getvalue()


def decrypt(blob: bytes, key: bytes = KEY) -> bytes:
    return b"".join(decrypt_stream(io.BytesIO(blob), key))


@pytest.mark.parametrize("size", [0, 1, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * CHUNK_SIZE])
def test_it_round_trips_any_size(size):
    data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)

    blob = encrypt(data)

    # Under 16 bytes the plaintext may occur in random ciphertext by chance.
    assert data not in blob or size < 16
    assert decrypt(blob) == data


@pytest.mark.parametrize("digest", [True, False])
def test_the_writer_hashes_the_plaintext_unless_told_not_to(digest):
    data = b"typed text " * 40_000
    raw = io.BytesIO()

    with EncryptingWriter(raw, KEY, digest=digest) as writer:
        writer.write(data)

    assert writer.size == len(data)
    expected = hashlib.sha256(data).hexdigest() if digest else None
    assert writer.sha256 == expected
    assert decrypt(raw.getvalue()) == data


def test_a_wrong_key_a_flipped_bit_or_a_cut_are_refused():
    data = b"secret keystrokes " * 50_000
    blob = encrypt(data)

    with pytest.raises(ArchiveCorrupt):
        decrypt(blob, key=b"x" * 32)
    flipped = bytearray(blob)
    flipped[len(blob) // 2] ^= 1
    with pytest.raises(ArchiveCorrupt):
        decrypt(bytes(flipped))
    # Cut after a whole chunk: what is left still decrypts chunk by chunk,
    # but the final-chunk flag is missing, so the stream is refused.
    with pytest.raises(ArchiveCorrupt):
        decrypt(blob[: 12 + CHUNK_SIZE + 16])


def test_keys_differ_per_file(settings):
    settings.RIGHTS_EXPORT_KEY = ""
    assert derive_key("export:1") != derive_key("export:2")
    settings.RIGHTS_EXPORT_KEY = "another master key"
    assert derive_key("export:1") != derive_key("export:1x")


def opened(export: Export) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(export_stream_plain(export))))


def run_access(employee, kind=RequestKind.ACCESS):
    request = request_file(subject=employee, kind=kind, filed_by=employee.user)
    for job in request.jobs.all():
        assert job_run(job_id=job.pk) == "done"
    # The worker that settles the last job finishes the request itself.
    request.refresh_from_db()
    return request


@pytest.mark.django_db(databases=["default", "telemetry"], transaction=True)
def test_the_archive_holds_every_row_and_file_of_the_subject_and_no_one_else(
    alice, bob, catalog, sent, export_root
):
    request = run_access(alice)

    assert request.status == "completed"
    export = Export.objects.get(request=request)
    assert export.status == "ready"
    stored = (export_root / export.path).read_bytes()
    assert b"alice wrote" not in stored  # encrypted at rest
    plain = b"".join(export_stream_plain(export))
    assert hashlib.sha256(plain).hexdigest() == export.sha256
    assert export.size_bytes == len(plain)
    archive = zipfile.ZipFile(io.BytesIO(plain))
    names = set(archive.namelist())

    expected = sorted(
        (serial, text) for serial, _, text in EVENTS if serial == "SN-ALICE-1"
    )
    lines = [json.loads(line) for line in archive.read("keystrokes.jsonl").splitlines()]
    assert (
        sorted(
            (line["values"]["device_serial"], line["values"]["typed_text"])
            for line in lines
        )
        == expected
    )
    rows = list(csv.DictReader(io.StringIO(archive.read("keystrokes.csv").decode())))
    assert sorted((r["device_serial"], r["typed_text"]) for r in rows) == expected
    assert {r["key"] for r in rows} == {line["key"] for line in lines}

    pngs = sorted(n for n in names if n.endswith(".png"))
    assert pngs == [
        "files/screens/captures/SN-ALICE-1/2026-11-05/1.png",
        "files/screens/captures/SN-ALICE-1/2026-11-06/2.png",
    ]
    for name in pngs:
        original = catalog_root_file(name)
        assert archive.read(name) == original
    everything = b"".join(archive.read(n) for n in names)
    assert b"bob secret" not in everything and b"SN-BOB-1" not in everything

    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["request"] == str(request.public_id)
    assert manifest["subject"]["id"] == str(alice.public_id)
    counts = {d["dataset"]: d["records"] for d in manifest["datasets"]}
    assert counts == {"keystrokes": 3, "screens": 2}
    listed = {entry["path"]: entry["sha256"] for entry in manifest["files"]}
    assert set(listed) == names - {"manifest.json"}
    for name, digest in listed.items():
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest

    index = archive.read("index.html").decode()
    for text in ("Protect company laptops", "IT Security", "90 days", "complain"):
        assert text in index
    assert not (export_root / str(request.public_id) / "parts").exists()


def catalog_root_file(arcname: str) -> bytes:
    from django.conf import settings

    relative = arcname.removeprefix("files/screens/")
    return (settings.TELEMETRY_FILES_ROOT / relative).read_bytes()


@pytest.mark.django_db(databases=["default", "telemetry"], transaction=True)
def test_portability_gives_the_machine_readable_part_only(alice, catalog, sent):
    request = run_access(alice, kind=RequestKind.PORTABILITY)

    names = set(opened(request.export).namelist())
    assert names == {
        "keystrokes.jsonl",
        "keystrokes.csv",
        "screens.jsonl",
        "screens.csv",
        "manifest.json",
    }


@pytest.mark.django_db(databases=["default", "telemetry"], transaction=True)
def test_only_the_subject_downloads_it_and_each_download_is_audited(
    alice, bob, catalog, sent
):
    request = run_access(alice)
    export = request.export

    with pytest.raises(Http404):
        export_download(export=export, user=bob.user)
    chunks = export_download(export=export, user=alice.user)
    assert zipfile.ZipFile(io.BytesIO(b"".join(chunks))).testzip() is None

    export.refresh_from_db()
    assert export.downloads == 1
    record = AuditRecord.objects.get(action=AuditAction.RIGHTS_EXPORT_DOWNLOADED)
    assert (record.actor_id, record.subject_id) == (alice.user.pk, alice.pk)

    Export.objects.filter(pk=export.pk).update(expires_at=timezone.now())
    export.refresh_from_db()
    with pytest.raises(ExportUnavailable):
        export_download(export=export, user=alice.user)
