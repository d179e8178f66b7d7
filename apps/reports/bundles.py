"""Evidence bundles: one signed ZIP for a regulator, and its verification.

Inside: the records of processing (CSV, JSON, XLSX, PDF), the DPIA register,
the request records and yearly metrics of the period, the erasure
certificates issued in it, the audit-log checkpoints signed in it and the
latest chain verification, a README, `manifest.json` (SHA-256 and size of
every other file) and `manifest.sig` (HMAC of the manifest,
apps.reports.signing). `manage.py verify_bundle PATH` checks the signature,
then every file against the manifest, and names whatever was altered, added
or removed.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.utils import timezone

from apps.audit.models import AuditCheckpoint, AuditVerification
from apps.reports import dpia, exports, requests
from apps.reports.models import Bundle
from apps.reports.pdf import write_ropa_pdf
from apps.reports.ropa import COLUMN_KEYS, COLUMNS, ropa_rows
from apps.reports.signing import manifest_sign, manifest_signature_problem
from apps.rights.models import ErasureCertificate

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
FORMAT = "candor-evidence-bundle-v1"

README = """Candor evidence bundle
======================

Recipient: {recipient}
Period: {start} to {end} (inclusive)
Generated: {generated}

records-of-processing.*  GDPR Art. 30(1) records, one per processing activity
dpia-register.csv        data-protection impact assessments, one per program
request-records.*        every request received in the period
request-metrics.csv      per year and type: received, completed, refused,
                         median days to respond
erasure-certificates.jsonl  signed certificates issued in the period
audit-checkpoints.csv    signed checkpoints of the audit log's hash chain
audit-verification.json  the latest verification of the whole chain
manifest.json            SHA-256 and size of every file above
manifest.sig             "<key id> <HMAC-SHA256 of manifest.json>"

Verify with: python manage.py verify_bundle {name}
"""


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _table(writer: Callable, **kwargs) -> bytes:
    out = io.BytesIO()
    writer(out, **kwargs)
    return out.getvalue()


def _certificates(period: requests.Period) -> bytes:
    begin, after = period.bounds()
    lines = []
    for cert in (
        ErasureCertificate.objects.filter(created_at__gte=begin, created_at__lt=after)
        .select_related("request")
        .order_by("created_at", "pk")
    ):
        lines.append(
            json.dumps(
                {
                    "request": str(cert.request.public_id),
                    "created_at": cert.created_at.isoformat(),
                    "key_id": cert.key_id,
                    "payload": cert.payload,
                    "signature": cert.signature,
                },
                ensure_ascii=False,
                sort_keys=True,
            )
        )
    return ("\n".join(lines) + "\n" if lines else "").encode()


def _checkpoints(period: requests.Period) -> bytes:
    begin, after = period.bounds()
    rows = (
        [c.seq, c.record_hash, c.signed_at.isoformat(), c.key_id, c.signature]
        for c in AuditCheckpoint.objects.filter(
            signed_at__gte=begin, signed_at__lt=after
        ).order_by("seq")
    )
    return _table(
        exports.write_csv,
        headings=["seq", "record_hash", "signed_at", "key_id", "signature"],
        rows=rows,
    )


def _verification() -> bytes:
    latest = AuditVerification.objects.order_by("-started_at").first()
    document = (
        {
            "started_at": latest.started_at.isoformat(),
            "finished_at": latest.finished_at.isoformat(),
            "ok": latest.ok,
            "records": latest.records,
            "last_seq": latest.last_seq,
            "message": latest.message,
        }
        if latest
        else {"ok": None, "message": "The chain has not been verified yet."}
    )
    return json.dumps(document, indent=2).encode()


def bundle_files(
    *, bundle: Bundle, progress: Callable[[int], None] = lambda _p: None
) -> dict[str, bytes]:
    """The bundle's files by name (manifest and signature excepted)."""
    period = requests.Period(start=bundle.period_start, end=bundle.period_end)
    files: dict[str, bytes] = {}
    ropa = ropa_rows()
    headings = [str(c.label) for c in COLUMNS]
    rows = [row.as_list() for row in ropa.rows]
    files["records-of-processing.csv"] = _table(
        exports.write_csv, headings=headings, rows=rows
    )
    files["records-of-processing.json"] = _table(
        exports.write_json,
        meta={"organisation": ropa.organisation.__dict__},
        items_key="records",
        keys=COLUMN_KEYS,
        rows=rows,
    )
    files["records-of-processing.xlsx"] = _table(
        exports.write_xlsx, sheet="Records of processing", headings=headings, rows=rows
    )
    progress(20)
    pdf = io.BytesIO()
    write_ropa_pdf(pdf, ropa=ropa, generated_at=timezone.now())
    files["records-of-processing.pdf"] = pdf.getvalue()
    progress(40)
    files["dpia-register.csv"] = _table(
        exports.write_csv,
        headings=[str(h) for h in dpia.REGISTER_HEADINGS],
        rows=dpia.register_rows(),
    )
    files["request-records.csv"] = _table(
        exports.write_csv,
        headings=[str(h) for h in requests.RECORD_HEADINGS],
        rows=requests.record_rows(period=period),
    )
    progress(60)
    metrics = requests.yearly_metrics(period=period)
    files["request-metrics.csv"] = _table(
        exports.write_csv,
        headings=[str(h) for h in requests.METRIC_HEADINGS],
        rows=requests.metric_rows(metrics),
    )
    files["erasure-certificates.jsonl"] = _certificates(period)
    progress(75)
    files["audit-checkpoints.csv"] = _checkpoints(period)
    files["audit-verification.json"] = _verification()
    files["README.txt"] = README.format(
        recipient=bundle.recipient.get_username(),
        start=bundle.period_start,
        end=bundle.period_end,
        generated=timezone.now().isoformat(timespec="seconds"),
        name=bundle.download_name,
    ).encode()
    return files


def manifest_for(*, bundle: Bundle, files: dict[str, bytes]) -> bytes:
    document = {
        "format": FORMAT,
        "bundle": str(bundle.public_id),
        "recipient": bundle.recipient.get_username(),
        "period": {
            "start": bundle.period_start.isoformat(),
            "end": bundle.period_end.isoformat(),
        },
        "generated_at": timezone.now().isoformat(),
        "files": {
            name: {"sha256": _sha256(data), "size": len(data)}
            for name, data in sorted(files.items())
        },
    }
    return json.dumps(document, indent=2, sort_keys=True).encode()


def bundle_write(*, bundle: Bundle, path: Path, progress=lambda _p: None) -> str:
    """Write the signed ZIP to `path`; returns its SHA-256."""
    files = bundle_files(bundle=bundle, progress=progress)
    manifest = manifest_for(bundle=bundle, files=files)
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(files.items()):
            archive.writestr(name, data)
        archive.writestr(MANIFEST, manifest)
        archive.writestr(SIGNATURE, manifest_sign(manifest))
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class Verification:
    problems: list[str] = field(default_factory=list)
    files_checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def bundle_verify(path: Path) -> Verification:
    """Check a bundle's signature and every file; each problem names its file."""
    result = Verification()
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        result.problems.append(f"{path}: not a readable ZIP ({exc})")
        return result
    with archive:
        names = set(archive.namelist())
        if MANIFEST not in names or SIGNATURE not in names:
            result.problems.append(f"{MANIFEST} or {SIGNATURE} is missing")
            return result
        manifest = archive.read(MANIFEST)
        problem = manifest_signature_problem(
            manifest, archive.read(SIGNATURE).decode(errors="replace")
        )
        if problem:
            result.problems.append(f"{MANIFEST}: {problem}")
        listed = json.loads(manifest)["files"]
        for name, facts in sorted(listed.items()):
            if name not in names:
                result.problems.append(f"{name}: listed in the manifest but missing")
                continue
            data = archive.read(name)
            result.files_checked += 1
            if _sha256(data) != facts["sha256"] or len(data) != facts["size"]:
                result.problems.append(f"{name}: altered (its SHA-256 differs)")
        for name in sorted(names - set(listed) - {MANIFEST, SIGNATURE}):
            result.problems.append(f"{name}: not listed in the manifest (added)")
    return result
