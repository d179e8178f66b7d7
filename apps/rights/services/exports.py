"""Access and portability exports: part files per dataset, the download.

An export job streams the connector's records into encrypted part files
under RIGHTS_EXPORT_ROOT/<request>/parts (JSON Lines, CSV, and the list of
original files); apps.rights.services.assembly builds the ZIP from them
once every job is settled.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import json
import os
from collections.abc import Iterator
from itertools import starmap
from operator import itemgetter
from pathlib import Path
from typing import Any

import msgspec
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
from apps.stores.base import iso_utc
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
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


# One encoder for every file: compact JSON, decimals as text (as str()).
_ENCODER = msgspec.json.Encoder(enc_hook=_json_default, decimal_format="string")
# A line of the JSON Lines: a C struct, not a dict, per record (encoded by
# msgspec in one call per block; no Python code runs per record).
_Line = msgspec.defstruct("Line", ["key", "timestamp", "values"], gc=False)
# A CSV line before its brackets go: ["key","timestamp",[the row's values]].
_CsvLine = msgspec.defstruct(
    "CsvLine", ["key", "timestamp", "values"], array_like=True, gc=False
)


@functools.lru_cache(maxsize=256)
def _values_struct(columns: tuple[str, ...]) -> type:
    """A struct with one field per column, encoded under the column's name
    (any name: the fields themselves are f0, f1, ...)."""
    fields = [f"f{i}" for i in range(len(columns))]
    names = dict(zip(fields, map(str, columns), strict=True))
    return msgspec.defstruct("Values", fields, rename=names, gc=False)


def _plain_time(value: Any) -> Any:
    return iso_utc(value) if isinstance(value, dt.datetime) else value


def _csv_cell(value: Any) -> Any:
    """A value as CSV holds it, as the database's COPY writes it: nested
    values as JSON, datetimes by iso_utc(), booleans true/false, None as
    empty; the csv module writes the rest with str()."""
    if value is None or type(value) in (str, int, float):
        return value
    if type(value) in (dict, list):
        return json.dumps(value, ensure_ascii=False, default=_json_default)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return iso_utc(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


class _Part:
    """One encrypted part file, written to a temporary name and moved into
    place when complete (a rerun overwrites it: idempotent)."""

    def __init__(self, job: Job, name: str) -> None:
        self.name = name
        self.path = request_dir(job.request) / "parts" / name
        self.temp = self.path.with_name(f".{name}.{os.getpid()}.tmp")
        # Not hashed here: the archive's assembly hashes each file it holds
        # (see assembly._Entry).
        self.writer, self.raw = encrypted_file_writer(
            self.temp, part_info(job, name), digest=False
        )

    def write(self, text: str) -> None:
        self.writer.write(text.encode())

    def write_bytes(self, data: bytes) -> None:
        self.writer.write(data)

    def close(self) -> dict:
        self.writer.close()
        self.raw.close()
        os.replace(self.temp, self.path)
        return {"name": self.name, "size": self.writer.size}

    def discard(self) -> None:
        self.raw.close()
        self.temp.unlink(missing_ok=True)


def export_job_write(*, job: Job, identifiers: list[str], heartbeat) -> dict:
    """Stream the subject's records in `job.dataset` into part files;
    returns job.output: counts, and each part's name and size."""
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


def _write_blocks(blocks, jsonl, csv_part, heartbeat) -> tuple:
    """The bulk path: each block becomes one write per file, encoded in C
    (msgspec; the CSV from msgspec's arrays where it can be, else the csv
    module's writerows). The reader is closed however it ends: one stopped
    early gives its store connection (and its transaction) back at once,
    not when it is garbage."""
    try:
        return _encode_blocks(blocks, jsonl, csv_part, heartbeat)
    finally:
        if hasattr(blocks, "close"):
            blocks.close()


def _encode_blocks(blocks, jsonl, csv_part, heartbeat) -> tuple:
    encode = _ENCODER.encode_lines
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    columns: list[str] = []
    records = 0
    for block in blocks:
        rows = block.rows
        if not records:
            columns = list(block.columns)
            writer.writerow(["key", "timestamp", *columns])
        # Each record's key and timestamp, worked out once for both files.
        keys = list(map(str, map(itemgetter(block.key_position), rows)))
        if block.timestamp_position is None:
            stamps = [None] * len(rows)
        else:
            stamps = map(itemgetter(block.timestamp_position), rows)
            if block.timestamp_text is not None:
                stamps = map(block.timestamp_text, stamps)
            stamps = list(stamps)
        values = starmap(_values_struct(tuple(block.columns)), rows)
        jsonl.write_bytes(encode(list(map(_Line, keys, stamps, values))))
        lines = _csv_lines(keys, stamps, block) if block.simple_values else None
        if lines is None:
            writer.writerows(_csv_rows(keys, stamps, rows))
        _flush(buffer, csv_part)
        if lines is not None:
            csv_part.write_bytes(lines)
        records += len(rows)
        _progress(heartbeat, records, jsonl, csv_part)
    return records, columns


def _csv_lines(keys: list, stamps: list, block) -> bytes | None:
    """A block's CSV lines made from msgspec's JSON arrays, about three
    times as fast as the csv module, or None where that cannot be done.

    Each line is encoded as ["key","timestamp",[the row's values]] (one
    array-like struct around the row: no new tuple per row). A JSON array
    without its brackets is a CSV line when no value needed escaping in
    JSON (no backslash anywhere: no quote, backslash or control character
    in any text) and the values are only text, integers, booleans and None
    (block.simple_values): integers and true/false are spelled alike, every
    text is quoted, and null (outside the quotes, which then hold no quote)
    becomes an empty field. When no text holds a comma (a line has as many
    commas as separators) the quotes go too: the lines are then what the
    csv module writes, byte for byte. No text may hold a bracket either,
    for the brackets go in the same pass: it then removes exactly four per
    line and every quote, which its length checks."""
    rows = block.rows
    lines = _ENCODER.encode_lines(list(map(_CsvLine, keys, stamps, rows)))
    count = len(rows)
    if b"\\" in lines:
        return None
    if b"null" in lines:
        # Outside the quotes (the even pieces) only numbers, true, false,
        # null, commas and brackets: each null there is a None.
        pieces = lines.split(b'"')
        pieces[::2] = [piece.replace(b"null", b"") for piece in pieces[::2]]
        lines = b'"'.join(pieces)
    quoted_commas = lines.count(b",") != count * (len(block.columns) + 1)
    quotes = 0 if quoted_commas else lines.count(b'"')
    stripped = lines.translate(None, b"[]" if quoted_commas else b'[]"')
    if len(lines) - len(stripped) != 4 * count + quotes:
        return None  # A text holds a bracket.
    return stripped


def _csv_rows(keys: list, stamps: list, rows: list) -> Iterator[list]:
    """A block's rows as the CSV holds them: key, timestamp, values."""
    for key, stamp, row in zip(keys, stamps, rows, strict=True):
        yield [key, stamp, *map(_csv_cell, row)]


def _flush(buffer: io.StringIO, part) -> None:
    """Write what the CSV writer has gathered (if anything) into `part`, and
    start again."""
    if text := buffer.getvalue():
        part.write(text)
        buffer.seek(0)
        buffer.truncate()


def _write_records(key, records, jsonl, csv_part, files_part, heartbeat) -> tuple:
    """Record by record, for connectors that have no bulk path (files, Redis,
    HTTP): the same files as _write_blocks, datetimes by iso_utc() alike."""
    buffer = io.StringIO()
    writer = None
    columns: list[str] = []
    lines: list = []
    count = files = 0
    for record in records:
        values = {name: _plain_time(v) for name, v in record.values.items()}
        stamp = iso_utc(record.timestamp) if record.timestamp else None
        entry = {"key": record.key, "timestamp": stamp, "values": values}
        if record.file is not None:
            arcname = f"files/{key}/{record.key}"
            entry["file"] = arcname
            files_part.write_bytes(
                _ENCODER.encode({"path": str(record.file), "arcname": arcname})
                + b"\n"
            )
            files += 1
        lines.append(entry)
        if writer is None:
            columns = list(values)
            writer = csv.writer(buffer, lineterminator="\n")
            writer.writerow(["key", "timestamp", *columns])
        writer.writerow(
            [record.key, stamp, *[_csv_cell(values.get(c)) for c in columns]]
        )
        count += 1
        if count % PROGRESS_EVERY == 0:
            jsonl.write_bytes(_ENCODER.encode_lines(lines))
            lines.clear()
            _flush(buffer, csv_part)
            _progress(heartbeat, count, jsonl, csv_part)
    if lines:
        jsonl.write_bytes(_ENCODER.encode_lines(lines))
    _flush(buffer, csv_part)
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
