"""A bundle prepared on the page is built by a real worker through the broker."""

import pytest
from django.urls import reverse

from apps.reports.bundles import bundle_verify
from apps.reports.models import Bundle, BundleStatus
from tests.worker import running_worker, wait_until

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(databases=["default", "telemetry"], transaction=True),
]


def test_a_worker_builds_the_bundle(
    client, users, programs, history, settings, tmp_path
):
    settings.REPORTS_BUNDLE_DIR = tmp_path
    with running_worker(REPORTS_BUNDLE_DIR=str(tmp_path)):
        client.force_login(users["privacy_officer"])
        response = client.post(
            reverse("reports:bundle_new"),
            {"recipient": "regulator@example.com", "period_start": "2000-01-01",
             "period_end": "2100-01-01"},
        )  # fmt: skip
        assert response.status_code == 302
        wait_until(
            lambda: Bundle.objects.filter(
                status__in=[BundleStatus.READY, BundleStatus.FAILED]
            ).exists(),
            timeout=120,
        )
    bundle = Bundle.objects.get()
    assert (bundle.status, bundle.last_error, bundle.progress) == ("ready", "", 100)
    assert bundle_verify(tmp_path / bundle.file_name).ok
    client.force_login(users["regulator"])
    page = client.get(reverse("reports:bundle_detail", args=[bundle.public_id]))
    assert bundle.sha256 in page.content.decode()
    assert 'http-equiv="refresh"' not in page.content.decode()
