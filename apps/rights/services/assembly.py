"""Assembling a request's archive from its jobs' part files.

One worker at a time (a lease on the Export row, renewed while it works)
streams the encrypted parts and the original files through zipfile (ZIP64,
data descriptors, no seeking) into an encrypting stream: memory stays flat
whatever the size. manifest.json, written last, holds the SHA-256 of every
file as it went into the archive.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from apps.rights.archive import EncryptingWriter, derive_key, read_encrypted_file
from apps.rights.models import Export, ExportStatus, Job, JobStatus, RequestKind
from apps.rights.services.exports import export_root, part_info, request_dir


def _assembly_lease() -> dt.datetime:
    return timezone.now() + dt.timedelta(seconds=settings.RIGHTS_JOB_LEASE_SECONDS)


def export_claim(*, export: Export) -> bool:
    """Take the archive's assembly for this worker: a lease, like a job's,
    renewed by AssemblyLease while the archive is built; a worker killed
    meanwhile leaves it to the sweeper once it has run out."""
    now = timezone.now()
    return bool(
        Export.objects.filter(pk=export.pk, status=ExportStatus.PENDING)
        .exclude(assembling_until__gt=now)
        .update(assembling_until=_assembly_lease())
    )


class AssemblyLease:
    """Renews an export's assembly lease from a thread while it is built."""

    def __init__(self, export: Export) -> None:
        self.export_id = export.pk
        self._stop = threading.Event()
        self._interval = max(0.2, settings.RIGHTS_JOB_LEASE_SECONDS / 4)
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> AssemblyLease:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        try:
            while not self._stop.wait(self._interval):
                Export.objects.filter(
                    pk=self.export_id, status=ExportStatus.PENDING
                ).update(assembling_until=_assembly_lease())
        finally:
            connection.close()  # This thread's own database connection.


def _copy(source: Iterator[bytes], dest, digest) -> int:
    size = 0
    for chunk in source:
        digest.update(chunk)
        dest.write(chunk)
        size += len(chunk)
    return size


def _file_chunks(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as handle:
        while chunk := handle.read(1024 * 1024):
            yield chunk


def _add(
    zf: zipfile.ZipFile, name: str, chunks: Iterator[bytes], *, stored=False
) -> dict:
    target: zipfile.ZipInfo | str = name
    if stored:
        # Images are compressed already: deflating them again costs time only.
        target = zipfile.ZipInfo(name, date_time=timezone.now().timetuple()[:6])
        target.compress_type = zipfile.ZIP_STORED
    digest = hashlib.sha256()
    with zf.open(target, "w", force_zip64=True) as dest:
        size = _copy(chunks, dest, digest)
    return {"path": name, "sha256": digest.hexdigest(), "size": size}


def _part_chunks(job: Job, part: dict) -> Iterator[bytes]:
    path = request_dir(job.request) / "parts" / part["name"]
    return read_encrypted_file(path, part_info(job, part["name"]))


def _add_part(zf, job: Job, name: str, part: dict) -> dict:
    entry = _add(zf, name, _part_chunks(job, part))
    if entry["sha256"] != part["sha256"]:
        raise ValueError(f"part {part['name']} changed since it was written")
    return entry


def _add_originals(zf, job: Job, part: dict) -> tuple[list[dict], list[str]]:
    """Copy the original files listed in the job's files part."""
    added, missing = [], []
    pending = b""
    for chunk in _part_chunks(job, part):
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for line in lines:
            ref = json.loads(line)
            path = Path(ref["path"])
            if not path.is_file():
                missing.append(ref["arcname"])
                continue
            added.append(_add(zf, ref["arcname"], _file_chunks(path), stored=True))
    return added, missing


def _dataset_entry(job: Job) -> dict:
    dataset = job.dataset
    return {
        "dataset": dataset.key,
        "name": dataset.name,
        "program": dataset.program.key,
        "store": dataset.store.key,
        "status": job.status,
        "records": job.records_done if job.status == JobStatus.DONE else None,
        "files": (job.output or {}).get("files", 0),
        "note": job.abandon_reason or job.confirmation_note or "",
    }


def export_assemble(*, export: Export) -> Export:
    """Build the request's encrypted ZIP from its jobs' parts; READY when done.

    Access: data, original files, index.html (Art. 15 context) and the
    manifest. Portability: the machine-readable part only (JSON Lines, CSV,
    manifest).
    """
    from apps.rights.services.summary import index_context

    request = export.request
    access = request.kind == RequestKind.ACCESS
    jobs = list(
        request.jobs.select_related(
            "dataset", "dataset__program", "dataset__store"
        ).order_by("pk")
    )
    generated_at = timezone.now()
    relative = f"{request.public_id}/export-{export.pk}.zip.enc"
    path = export_root() / relative
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    path.parent.mkdir(parents=True, exist_ok=True)
    entries: list[dict] = []
    missing: list[str] = []
    with open(temp, "wb") as raw:
        writer = EncryptingWriter(raw, derive_key(f"export:{export.pk}"))
        # Deflate at level 1: most of the gain for a fraction of the time.
        with zipfile.ZipFile(
            writer, "w", zipfile.ZIP_DEFLATED, allowZip64=True, compresslevel=1
        ) as zf:
            for job in jobs:
                parts = (job.output or {}).get("parts")
                if job.status != JobStatus.DONE:
                    continue
                if parts:
                    key = job.dataset.key
                    entries.append(_add_part(zf, job, f"{key}.jsonl", parts["jsonl"]))
                    entries.append(_add_part(zf, job, f"{key}.csv", parts["csv"]))
                    if access:
                        added, gone = _add_originals(zf, job, parts["files"])
                        entries += added
                        missing += gone
                if job.evidence and access:
                    name = f"manual/{job.dataset.key}/{Path(job.evidence.name).name}"
                    with job.evidence.open("rb") as handle:
                        entries.append(
                            _add(zf, name, iter(lambda h=handle: h.read(1 << 20), b""))
                        )
            datasets = [_dataset_entry(job) for job in jobs]
            if access:
                html = render_to_string(
                    "rights/export/index.html",
                    index_context(
                        request=request, jobs=jobs, generated_at=generated_at
                    ),
                )
                entries.append(_add(zf, "index.html", iter([html.encode()])))
            manifest = {
                "request": str(request.public_id),
                "kind": request.kind,
                "subject": {
                    "id": str(request.subject.public_id),
                    "name": request.subject.full_name,
                    "employee_number": request.subject.employee_number,
                },
                "generated_at": generated_at.isoformat(),
                "datasets": datasets,
                "files": entries,
                "missing_files": missing,
            }
            zf.writestr(
                "manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False)
            )
        writer.close()
        size, sha256 = writer.size, writer.sha256
    os.replace(temp, path)
    with transaction.atomic():
        Export.objects.filter(pk=export.pk).update(
            status=ExportStatus.READY,
            path=relative,
            size_bytes=size,
            sha256=sha256,
            created_at=generated_at,
            expires_at=generated_at + dt.timedelta(days=settings.RIGHTS_DOWNLOAD_DAYS),
            assembling_until=None,
            last_error="",
        )
    shutil.rmtree(request_dir(request) / "parts", ignore_errors=True)
    export.refresh_from_db()
    return export
