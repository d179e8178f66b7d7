"""Access and portability exports: part files per dataset, the download.

An export job streams the connector's records into encrypted part files
under RIGHTS_EXPORT_ROOT/<request>/parts (JSON Lines, CSV, and the list of
original files); apps.rights.services.assembly builds the ZIP from them
once every job is settled.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
from collections.abc import Iterator
from json.encoder import c_make_encoder, encode_basestring
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone

from apps.audit.models import AuditAction
from apps.audit.services import audit_record_access
from apps.people.models import User
from apps.rights.archive import (
    encrypted_file_writer,
    read_encrypted_file,
)
from apps.rights.models import Export, ExportStatus, Job
from apps.stores.registry import get_connector

# Rows between two progress reports (and lease checks) of an export job.
PROGRESS_EVERY = 2000
# Rows read, encoded and written at a time: large enough that the per-block
# work is nothing, small enough to keep the worker's memory flat (at most
# RIGHTS_BATCH_SIZE, which may be set much larger for erasure's batches).
EXPORT_BLOCK_ROWS = 5000


class ExportUnavailable(Exception):
    """The archive cannot be downloaded (not ready, expired); says why."""


def export_root() -> Path:
    return Path(settings.RIGHTS_EXPORT_ROOT)


def request_dir(request) -> Path:
    return export_root() / str(request.public_id)


def part_info(job: Job, name: str) -> str:
    return f"part:{job.pk}:{name}"


def _json_default(value: Any) -> Any:
    """What JSON cannot hold natively (called for those values only)."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


# One encoder for every line: json.dumps with options builds a new one per call.
_ENCODER = json.JSONEncoder(ensure_ascii=False, default=_json_default)
# The same encoder's C core, called without the Python wrapper around it
# (half the time of a line at 100,000 lines); the bulk path uses it. No
# circular check: rows hold plain values and dicts/lists from JSON columns.
_encode_chunks = c_make_encoder(
    None, _json_default, encode_basestring, None, ": ", ", ", False, False, True
)


def _csv_cell(value: Any) -> Any:
    """A value as CSV holds it: nested values as JSON, datetimes in ISO 8601
    (as in the JSON Lines), None as empty; the csv module writes the rest
    with str()."""
    if type(value) in (dict, list):
        return _ENCODER.encode(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


class _Part:
    """One encrypted part file, written to a temporary name and moved into
    place when complete (a rerun overwrites it: idempotent)."""

    def __init__(self, job: Job, name: str) -> None:
        self.name = name
        self.path = request_dir(job.request) / "parts" / name
        self.temp = self.path.with_name(f".{name}.{os.getpid()}.tmp")
        self.writer, self.raw = encrypted_file_writer(self.temp, part_info(job, name))

    def write(self, text: str) -> None:
        self.writer.write(text.encode())

    def close(self) -> dict:
        self.writer.close()
        self.raw.close()
        os.replace(self.temp, self.path)
        return {
            "name": self.name,
            "sha256": self.writer.sha256,
            "size": self.writer.size,
        }

    def discard(self) -> None:
        self.raw.close()
        self.temp.unlink(missing_ok=True)


def export_job_write(*, job: Job, identifiers: list[str], heartbeat) -> dict:
    """Stream the subject's records in `job.dataset` into part files;
    returns job.output: counts, and each part's name, size and SHA-256."""
    dataset = job.dataset
    key = dataset.key
    parts = [
        _Part(job, f"{key}.jsonl"),
        _Part(job, f"{key}.csv"),
        _Part(job, f"{key}.files.jsonl"),
    ]
    jsonl, csv_part, files_part = parts
    connector = get_connector(dataset.store)
    batch_size = min(settings.RIGHTS_BATCH_SIZE, EXPORT_BLOCK_ROWS)
    try:
        if hasattr(connector, "stream_blocks"):
            blocks = connector.stream_blocks(
                dataset, identifiers, batch_size=batch_size
            )
            records, columns = _write_blocks(blocks, jsonl, csv_part, heartbeat)
            files = 0
        else:
            records = connector.stream(dataset, identifiers, batch_size=batch_size)
            records, files, columns = _write_records(
                key, records, jsonl, csv_part, files_part, heartbeat
            )
        written = [part.close() for part in parts]
    except BaseException:
        for part in parts:
            part.discard()
        raise
    return {
        "records": records,
        "files": files,
        "columns": columns,
        "bytes": written[0]["size"] + written[1]["size"],
        "parts": {"jsonl": written[0], "csv": written[1], "files": written[2]},
    }


def _progress(heartbeat, records: int, jsonl: _Part, csv_part: _Part) -> None:
    heartbeat.done = records
    heartbeat.bytes = jsonl.writer.size + csv_part.writer.size
    heartbeat.check()


def _write_blocks(blocks, jsonl: _Part, csv_part: _Part, heartbeat) -> tuple:
    """The bulk path: a block of rows becomes one write per file (the csv
    module's writerows, one JSON encoder call per line, no objects between)."""
    join, chunks = "".join, _encode_chunks
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    columns: list[str] = []
    records = 0
    for block in blocks:
        if not records:
            columns = list(block.columns)
            writer.writerow(["key", "timestamp", *columns])
        names = block.columns
        rows = block.rows
        lines = [
            join(
                chunks(
                    {
                        "key": r[0],
                        "timestamp": r[1],
                        "values": dict(zip(names, r[2:], strict=True)),
                    },
                    0,
                )
            )
            for r in rows
        ]
        lines.append("")  # The last line's end.
        jsonl.write("\n".join(lines))
        if block.nested:
            rows = [_csv_row(r, block.nested) for r in rows]
        writer.writerows(rows)
        csv_part.write(buffer.getvalue())
        buffer.seek(0)
        buffer.truncate()
        records += len(block.rows)
        _progress(heartbeat, records, jsonl, csv_part)
    return records, columns


def _csv_row(row: tuple, nested: tuple[int, ...]) -> list:
    cells = list(row)
    for position in nested:
        cells[position] = _csv_cell(cells[position])
    return cells


def _write_records(key, records, jsonl, csv_part, files_part, heartbeat) -> tuple:
    """Record by record, for connectors that have no bulk path (files, Redis,
    HTTP): the same files as _write_blocks, datetimes in ISO 8601 alike."""
    buffer = io.StringIO()
    writer = None
    columns: list[str] = []
    lines: list[str] = []
    count = files = 0
    for record in records:
        values = record.values
        entry = {"key": record.key, "timestamp": record.timestamp, "values": values}
        if record.file is not None:
            arcname = f"files/{key}/{record.key}"
            entry["file"] = arcname
            files_part.write(
                _ENCODER.encode({"path": str(record.file), "arcname": arcname}) + "\n"
            )
            files += 1
        lines.append(_ENCODER.encode(entry))
        if writer is None:
            columns = list(values)
            writer = csv.writer(buffer)
            writer.writerow(["key", "timestamp", *columns])
        writer.writerow(
            [
                record.key,
                _csv_cell(record.timestamp),
                *[_csv_cell(values.get(c)) for c in columns],
            ]
        )
        count += 1
        if count % PROGRESS_EVERY == 0:
            jsonl.write("\n".join(lines) + "\n")
            lines.clear()
            csv_part.write(buffer.getvalue())
            buffer.seek(0)
            buffer.truncate()
            _progress(heartbeat, count, jsonl, csv_part)
    if lines:
        jsonl.write("\n".join(lines) + "\n")
    csv_part.write(buffer.getvalue())
    return count, files, columns


def export_stream_plain(export: Export) -> Iterator[bytes]:
    """The plain ZIP, decrypted chunk by chunk as it is read from disk."""
    return read_encrypted_file(export_root() / export.path, f"export:{export.pk}")


def export_download(*, export: Export, user: User) -> Iterator[bytes]:
    """The archive for its subject: checked, audited and counted now, then
    streamed as the caller iterates.

    Raises Http404 for anyone but the subject, ExportUnavailable when it is
    not ready or has expired.
    """
    request = export.request
    if not user.is_authenticated or request.subject.user_id != user.pk:
        raise Http404
    if export.status == ExportStatus.EXPIRED or (
        export.expires_at and export.expires_at <= timezone.now()
    ):
        raise ExportUnavailable(
            "This download has expired: file a new request to get your data again."
        )
    if export.status != ExportStatus.READY:
        raise ExportUnavailable("Your archive is still being prepared.")
    with transaction.atomic():
        Export.objects.filter(pk=export.pk).update(downloads=F("downloads") + 1)
        audit_record_access(
            actor=user,
            subject=request.subject,
            action=AuditAction.RIGHTS_EXPORT_DOWNLOADED,
            purpose=f"{request.get_kind_display()} request",
            detail={
                "request_id": request.pk,
                "export_id": export.pk,
                "bytes": export.size_bytes,
            },
        )
    return export_stream_plain(export)


@transaction.atomic
def exports_expire(*, now: dt.datetime | None = None) -> int:
    """Delete archives whose link has expired; returns how many."""
    now = now or timezone.now()
    expired = list(
        Export.objects.filter(status=ExportStatus.READY, expires_at__lte=now)
    )
    for export in expired:
        (export_root() / export.path).unlink(missing_ok=True)
    return Export.objects.filter(pk__in=[e.pk for e in expired]).update(
        status=ExportStatus.EXPIRED
    )
