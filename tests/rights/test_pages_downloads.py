"""The archive behind an expiring signed link, and the erasure certificate:
only the subject (and, for the certificate, an officer), after a recent
sign-in; a tampered link is a 404 page, an expired one a 410 page."""

import datetime as dt
import json
from unittest import mock
from urllib.parse import unquote

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditRecord
from apps.rights.models import Export, ExportStatus
from apps.rights.views.downloads import SALT, download_token
from apps.rights.views.reauth import SESSION_KEY
from tests.rights.pages import ZIP_BYTES, certificate, file, ready_export

pytestmark = pytest.mark.django_db


@pytest.fixture
def export(alice, bob, officer, light_catalog):
    return ready_export(file(alice, kind="access"))


def _url(export) -> str:
    return reverse("rights:download", args=[download_token(export)])


def test_the_request_page_offers_the_download(client, export, alice):
    client.force_login(alice.user)
    detail = reverse("rights:request_detail", args=[export.request.public_id])
    body = client.get(detail).content.decode()
    assert "Download your data (ZIP)" in body
    assert reverse("rights:download", args=["x"])[: -len("x/")] in body


def test_it_streams_the_archive_to_its_subject(client, export, alice):
    client.force_login(alice.user)

    response = client.get(_url(export))

    assert response.status_code == 200
    assert response.streaming
    assert b"".join(response.streaming_content) == ZIP_BYTES
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    export.refresh_from_db()
    assert export.downloads == 1
    assert AuditRecord.objects.filter(
        action="rights_export_downloaded", subject_id=alice.pk
    ).exists()


def test_nobody_else_opens_the_link(client, export, bob, officer):
    for user in (bob.user, officer):
        client.force_login(user)
        response = client.get(_url(export))
        assert response.status_code == 404
        assert b"This link does not work" in response.content
    export.refresh_from_db()
    assert export.downloads == 0


def test_a_tampered_link_is_a_clear_404(client, export, alice):
    client.force_login(alice.user)
    token = download_token(export)
    forged = signing.TimestampSigner(salt=SALT).sign(str(export.pk + 1))

    for bad in (token[:-2] + "xx", "nonsense", forged):
        response = client.get(reverse("rights:download", args=[bad]))
        assert response.status_code == 404
        assert b"This link does not work" in response.content


def test_an_expired_link_is_a_clear_410(client, export, alice, settings):
    eight_days_ago = timezone.now() - dt.timedelta(days=8)
    with mock.patch("time.time", return_value=eight_days_ago.timestamp()):
        old = download_token(export)
    client.force_login(alice.user)

    response = client.get(reverse("rights:download", args=[old]))

    assert response.status_code == 410
    assert b"This link has expired" in response.content


def test_an_archive_past_its_date_is_gone(client, export, alice):
    Export.objects.filter(pk=export.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    client.force_login(alice.user)
    assert client.get(_url(export)).status_code == 410
    Export.objects.filter(pk=export.pk).update(status=ExportStatus.EXPIRED)
    assert client.get(_url(export)).status_code == 410


def test_it_asks_for_a_recent_sign_in(client, export, alice):
    client.force_login(alice.user)
    session = client.session
    session[SESSION_KEY] = (timezone.now() - dt.timedelta(minutes=16)).isoformat()
    session.save()
    url = _url(export)

    response = client.get(url)

    assert response.status_code == 302
    assert unquote(response.url) == unquote(f"{reverse('step_up')}?next={url}")
    export.refresh_from_db()
    assert export.downloads == 0


def test_anonymous_and_wrong_method(client, export, alice):
    url = _url(export)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    client.force_login(alice.user)
    assert client.post(url).status_code == 405


# The erasure certificate.


@pytest.fixture
def cert(alice, bob, officer, light_catalog):
    return certificate(file(alice))


def test_the_subject_and_an_officer_download_the_certificate(
    client, cert, alice, officer
):
    url = reverse("rights:certificate", args=[cert.request.public_id])
    for user in (alice.user, officer):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        document = json.loads(response.content)
        assert document["signature"] == cert.signature
        assert document["payload"] == cert.payload
        assert "attachment" in response["Content-Disposition"]


def test_nobody_else_gets_the_certificate(client, cert, bob):
    url = reverse("rights:certificate", args=[cert.request.public_id])
    client.force_login(bob.user)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 405
    client.logout()
    assert client.get(url).status_code == 302


def test_no_certificate_yet_is_a_404(client, alice, light_catalog):
    req = file(alice)
    client.force_login(alice.user)
    url = reverse("rights:certificate", args=[req.public_id])
    assert client.get(url).status_code == 404
