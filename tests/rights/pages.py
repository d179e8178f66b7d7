"""Helpers of the page, API and admin tests: requests in a given state, a
ready archive on disk, an erasure certificate."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from apps.rights.archive import encrypted_file_writer
from apps.rights.models import ErasureCertificate, Export, ExportStatus, Request
from apps.rights.services.lifecycle import request_file

ZIP_BYTES = b"PK\x03\x04 a small stand-in for the archive " * 100


def file(employee, kind: str = "erasure", **kwargs) -> Request:
    """A request the employee filed in the portal (an erasure waits for an
    officer; an access request starts at once)."""
    return request_file(subject=employee, kind=kind, filed_by=employee.user, **kwargs)


def ready_export(request: Request, *, days: int = 7) -> Export:
    """The request's archive, encrypted on disk as the engine leaves it."""
    export, _ = Export.objects.get_or_create(request=request)
    relative = f"{request.public_id}/archive.zip.enc"
    writer, raw = encrypted_file_writer(
        Path(settings.RIGHTS_EXPORT_ROOT) / relative, f"export:{export.pk}"
    )
    writer.write(ZIP_BYTES)
    writer.close()
    raw.close()
    now = timezone.now()
    Export.objects.filter(pk=export.pk).update(
        status=ExportStatus.READY,
        path=relative,
        size_bytes=len(ZIP_BYTES),
        sha256=writer.sha256,
        created_at=now,
        expires_at=now + dt.timedelta(days=days),
    )
    export.refresh_from_db()
    return export


def certificate(request: Request) -> ErasureCertificate:
    return ErasureCertificate.objects.create(
        request=request,
        payload={"request": str(request.public_id), "datasets": []},
        signature="c2lnbmF0dXJl",
        key_id="test-key",
        created_at=timezone.now(),
    )
