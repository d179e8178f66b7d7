"""Downloads: the export archive behind an expiring signed link, and the
erasure certificate.

The link carries a TimestampSigner token over the export's id, valid for
RIGHTS_DOWNLOAD_DAYS; it opens the archive only for the signed-in subject
(anyone else: 404), and a tampered token is a 404, an expired one or an
archive past its date a 410, each a page that says so (never a 500).
"""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from apps.governance.views.access import object_rule
from apps.people.models import User
from apps.rights.models import ErasureCertificate, Export, ExportStatus, Request
from apps.rights.selectors import request_for_officer, request_for_subject
from apps.rights.services.exports import ExportUnavailable, export_download
from apps.rights.services.finishing import certificate_document
from apps.rights.views.reauth import recent_login_required

SALT = "apps.rights.export-download"


class LinkExpired(Exception):
    """The link, or the archive behind it, is past its date."""


class LinkInvalid(Exception):
    """The link was altered, or names nothing this user may download."""


def download_token(export: Export) -> str:
    return signing.TimestampSigner(salt=SALT).sign(str(export.pk))


def export_link(request: Request) -> dict | None:
    """The subject's link to a ready archive, or None."""
    export = Export.objects.filter(request=request).first()
    if export is None or not _ready(export):
        return None
    return {
        "export": export,
        "token": download_token(export),
        "url": reverse("rights:download", args=[download_token(export)]),
    }


def _ready(export: Export) -> bool:
    return export.status == ExportStatus.READY and (
        export.expires_at is not None and export.expires_at > timezone.now()
    )


def export_for_token(*, user: User, token: str) -> Export:
    """The export `token` names, if `user` is its subject and it may still
    be downloaded. Raises LinkInvalid or LinkExpired."""
    max_age = dt.timedelta(days=settings.RIGHTS_DOWNLOAD_DAYS)
    try:
        value = signing.TimestampSigner(salt=SALT).unsign(token, max_age=max_age)
    except signing.SignatureExpired:
        raise LinkExpired from None
    except signing.BadSignature:
        raise LinkInvalid from None
    export = (
        Export.objects.select_related("request", "request__subject")
        .filter(pk=int(value), request__subject__user=user)
        .first()
    )
    if export is None:
        raise LinkInvalid
    if not _ready(export):
        raise LinkExpired
    return export


def stream_export(*, export: Export, user: User) -> StreamingHttpResponse:
    """The archive, decrypted as it is sent (memory stays flat); the engine
    counts and audits the download."""
    chunks = export_download(export=export, user=user)
    response = StreamingHttpResponse(chunks, content_type="application/zip")
    name = f"candor-{export.request.kind}-{str(export.request.public_id)[:8]}.zip"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


def _unavailable(request: HttpRequest, status: int) -> HttpResponse:
    return render(
        request,
        "rights/download_unavailable.html",
        {"gone": status == 410},
        status=status,
    )


@require_GET
@never_cache
@login_required
@recent_login_required
@object_rule("the request's employee, through an unexpired link")
def download(request: HttpRequest, token: str) -> HttpResponse:
    try:
        export = export_for_token(user=request.user, token=token)
    except LinkInvalid:
        return _unavailable(request, 404)
    except LinkExpired:
        return _unavailable(request, 410)
    try:
        return stream_export(export=export, user=request.user)
    except ExportUnavailable:
        # Expired between the check and the stream: the same answer.
        return _unavailable(request, 410)


def certificate_response(cert: ErasureCertificate) -> HttpResponse:
    response = HttpResponse(certificate_document(cert), content_type="application/json")
    name = f"erasure-certificate-{str(cert.request.public_id)[:8]}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
@never_cache
@login_required
@recent_login_required
@object_rule("the request's employee, or a privacy officer")
def certificate(request: HttpRequest, public_id: UUID) -> HttpResponse:
    req = request_for_subject(
        user=request.user, public_id=public_id
    ) or request_for_officer(user=request.user, public_id=public_id)
    cert = ErasureCertificate.objects.filter(request=req).first() if req else None
    if cert is None:
        raise Http404
    return certificate_response(cert)
