"""Evidence bundles: built by the task, signed, verified; tampering named;
regulators see only their own; downloads audited."""

import datetime as dt
import io
import json
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from apps.audit.models import AuditRecord
from apps.reports.bundles import MANIFEST, SIGNATURE, bundle_verify
from apps.reports.models import Bundle, BundleStatus
from apps.reports.services import bundle_build, bundle_request
from apps.rights.models import Request
from tests.governance.conftest import make_user
from tests.reports.helpers import body, parse_csv

pytestmark = pytest.mark.django_db
START, END = dt.date(2000, 1, 1), dt.date(2100, 1, 1)
FILES = {
    "README.txt",
    "audit-checkpoints.csv",
    "audit-verification.json",
    "dpia-register.csv",
    "erasure-certificates.jsonl",
    "records-of-processing.csv",
    "records-of-processing.json",
    "records-of-processing.pdf",
    "records-of-processing.xlsx",
    "request-metrics.csv",
    "request-records.csv",
    MANIFEST,
    SIGNATURE,
}


@pytest.fixture
def ready(
    users,
    programs,
    history,
    bundle_dir,
    eager_celery,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        bundle = bundle_request(
            requested_by=users["privacy_officer"],
            recipient=users["regulator"],
            period_start=START,
            period_end=END,
        )
    bundle.refresh_from_db()
    return bundle


def _path(bundle):
    return bundle_dir_of(bundle)


def bundle_dir_of(bundle):
    from django.conf import settings

    return settings.REPORTS_BUNDLE_DIR / bundle.file_name


def test_the_task_builds_a_signed_bundle(ready):
    assert ready.status == BundleStatus.READY
    assert ready.progress == 100
    path = _path(ready)
    with zipfile.ZipFile(path) as archive:
        assert set(archive.namelist()) == FILES
        manifest = json.loads(archive.read(MANIFEST))
        records = parse_csv(archive.read("request-records.csv"))
    assert manifest["recipient"] == "regulator@example.com"
    assert set(manifest["files"]) == FILES - {MANIFEST, SIGNATURE}
    assert len(records) == Request.objects.count() == 60
    result = bundle_verify(path)
    assert result.ok, result.problems
    assert result.files_checked == len(FILES) - 2


def _rewrite(path, change):
    """Copy the ZIP with `change(name, data) -> data | None` applied."""
    with zipfile.ZipFile(path) as archive:
        items = [(n, archive.read(n)) for n in archive.namelist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in items:
            data = change(name, data)
            if data is not None:
                archive.writestr(name, data)
    path.write_bytes(buffer.getvalue())


def test_verification_names_an_altered_file(ready):
    path = _path(ready)
    _rewrite(
        path,
        lambda n, d: (
            d.replace(b"Refused", b"Granted") if n == "request-records.csv" else d
        ),
    )
    result = bundle_verify(path)
    assert result.problems == ["request-records.csv: altered (its SHA-256 differs)"]
    with pytest.raises(CommandError) as caught:
        call_command("verify_bundle", str(path))
    assert "NOT verified" in str(caught.value)


def test_verification_names_removed_and_added_files(ready):
    path = _path(ready)
    _rewrite(path, lambda n, d: None if n == "dpia-register.csv" else d)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("extra.txt", b"slipped in")
    assert bundle_verify(path).problems == [
        "dpia-register.csv: listed in the manifest but missing",
        "extra.txt: not listed in the manifest (added)",
    ]


def test_a_rewritten_manifest_fails_its_signature(ready):
    path = _path(ready)

    def forge(name, data):
        if name == "request-records.csv":
            return b"nothing to see\n"
        if name == MANIFEST:
            manifest = json.loads(data)
            import hashlib

            manifest["files"]["request-records.csv"] = {
                "sha256": hashlib.sha256(b"nothing to see\n").hexdigest(),
                "size": 15,
            }
            return json.dumps(manifest).encode()
        return data

    _rewrite(path, forge)
    assert bundle_verify(path).problems == [
        "manifest.json: the manifest does not match its signature"
    ]


def test_another_key_does_not_verify(ready, settings):
    settings.REPORTS_SIGNING_KEY = "some other key"
    problems = bundle_verify(_path(ready)).problems
    assert len(problems) == 1 and "not the configured key" in problems[0]


def test_the_command_passes_an_intact_bundle(ready, capsys):
    call_command("verify_bundle", str(_path(ready)))
    assert "signature valid, 11 files match the manifest" in capsys.readouterr().out


def test_a_bundle_over_an_empty_period_is_complete(users, programs, bundle_dir):
    bundle = Bundle.objects.create(
        recipient=users["regulator"], requested_by=users["dpo"],
        period_start=dt.date(2001, 1, 1), period_end=dt.date(2001, 1, 31),
    )  # fmt: skip
    built = bundle_build(bundle_id=bundle.pk)
    with zipfile.ZipFile(bundle_dir_of(built)) as archive:
        assert parse_csv(archive.read("request-records.csv")) == []
        assert archive.read("erasure-certificates.jsonl") == b""
    assert bundle_verify(bundle_dir_of(built)).ok


def test_a_claimed_bundle_is_not_built_twice(users, programs, bundle_dir):
    bundle = Bundle.objects.create(
        recipient=users["regulator"], requested_by=users["dpo"],
        period_start=START, period_end=END,
    )  # fmt: skip
    assert bundle_build(bundle_id=bundle.pk) is not None
    assert bundle_build(bundle_id=bundle.pk) is None


def test_a_failure_is_recorded(users, programs, bundle_dir, monkeypatch):
    bundle = Bundle.objects.create(
        recipient=users["regulator"], requested_by=users["dpo"],
        period_start=START, period_end=END,
    )  # fmt: skip

    def broken(**kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("apps.reports.services.bundle_write", broken)
    with pytest.raises(OSError):
        bundle_build(bundle_id=bundle.pk)
    bundle.refresh_from_db()
    assert (bundle.status, bundle.last_error) == ("failed", "OSError: disk full")


def test_only_regulators_receive_bundles(users):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        bundle_request(
            requested_by=users["dpo"], recipient=users["hr"],
            period_start=START, period_end=END,
        )  # fmt: skip


def test_a_regulator_sees_only_their_bundles(client, users, ready):
    other = make_user("otherreg", "regulator")
    client.force_login(other)
    detail = reverse("reports:bundle_detail", args=[ready.public_id])
    download = reverse("reports:bundle_download", args=[ready.public_id])
    assert client.get(detail).status_code == 404
    assert client.get(download).status_code == 404
    assert client.get(reverse("reports:bundle_list")).context["bundles"] == []
    client.force_login(users["regulator"])
    assert client.get(reverse("reports:bundle_list")).context["bundles"] == [ready]
    response = client.get(download)
    assert response.status_code == 200
    assert zipfile.ZipFile(io.BytesIO(body(response))).testzip() is None
    for role in ("auditor", "hr", "employee"):
        client.force_login(users[role])
        assert client.get(detail).status_code == 404


def test_downloads_and_preparation_are_audited(client, users, ready):
    client.force_login(users["regulator"])
    client.get(reverse("reports:bundle_download", args=[ready.public_id]))
    records = AuditRecord.objects.filter(dataset_key="reports.bundle").order_by("seq")
    assert [(r.actor_id, r.purpose) for r in records] == [
        (users["privacy_officer"].pk, "Prepared an evidence bundle for a regulator"),
        (users["regulator"].pk, "Downloaded an evidence bundle"),
    ]
    assert records[1].detail["sha256"] == ready.sha256


def test_the_page_prepares_and_shows_progress(client, users, programs, bundle_dir):
    client.force_login(users["dpo"])
    response = client.post(
        reverse("reports:bundle_new"),
        {"recipient": "regulator@example.com", "period_start": "2026-01-01",
         "period_end": "2026-06-30"},
    )  # fmt: skip
    bundle = Bundle.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("reports:bundle_detail", args=[bundle.public_id])
    page = client.get(response.url).content.decode()
    assert 'http-equiv="refresh"' not in page and "<progress" in page
    # The card polls its own page while the bundle is prepared, and stops
    # once it is settled (static/js/progress.js).
    url = reverse("reports:bundle_detail", args=[bundle.public_id])
    assert f'data-progress-url="{url}" data-settled="false"' in page
    assert "js/progress.js" in page
    assert bundle.status == BundleStatus.PENDING
    Bundle.objects.filter(pk=bundle.pk).update(status=BundleStatus.FAILED)
    settled = client.get(url).content.decode()
    assert 'data-settled="true"' in settled


def test_a_backwards_period_is_refused(client, users, programs, bundle_dir):
    client.force_login(users["dpo"])
    response = client.post(
        reverse("reports:bundle_new"),
        {"recipient": "regulator@example.com", "period_start": "2026-06-30",
         "period_end": "2026-01-01"},
    )  # fmt: skip
    assert response.status_code == 400
    assert not Bundle.objects.exists()
