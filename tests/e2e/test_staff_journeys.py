"""The privacy team and a regulator, in a real browser, with a real worker:
an officer approves an employee's erasure and the worker carries it out; an
officer prepares an evidence bundle and the regulator downloads it."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from apps.reports.bundles import bundle_verify
from apps.reports.models import Bundle, BundleStatus
from apps.rights.models import Request, RequestKind
from tests.e2e.browser import (
    asks_step_up,
    download,
    sign_in,
    sign_in_ago,
)
from tests.e2e.browser import step_up as answer_step_up
from tests.monitoring_fixtures import device_rows
from tests.worker import wait_until

# Every column a stranger's erasure must leave as it was.
WITH_TIMES = "id, device_serial, captured_at, typed_text"

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(databases=["default", "telemetry"], transaction=True),
]


def submit_answering_step_up(page, button_name: str, *, user, password) -> bool:
    """Press a form's button; if a step-up page comes instead, answer it
    and press the button again on the page it sends us back to (a POST is
    never replayed)."""
    button = page.get_by_role("button", name=button_name)
    with page.expect_navigation():
        button.click()
    if not asks_step_up(page):
        return False
    answer_step_up(page, password, user)
    with page.expect_navigation():
        button.click()
    return True


def file_erasure(page, alice, password) -> Request:
    page.goto(reverse("rights:request_new") + "?kind=erasure")
    expect(page.get_by_role("radio", name=re.compile(r"^Erasure"))).to_be_checked()
    submit_answering_step_up(
        page, "Send my request", user=alice.user, password=password
    )
    page.wait_for_url("**/rights/requests/*/")
    return Request.objects.get(subject=alice, kind=RequestKind.ERASURE)


def approve(page, request, officer, password) -> None:
    page.get_by_role("link", name="Requests queue").click()
    detail = reverse("rights:officer_request", args=[request.public_id])
    page.locator(f"a[href='{detail}']").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    if page.get_by_role("button", name="Confirm").count():
        page.get_by_label("How was it confirmed?").fill("Signed in with SSO")
        with page.expect_navigation():
            page.get_by_role("button", name="Confirm").click()
    page.get_by_label("Note (optional)").fill("Checked, go ahead")
    # Signed in an hour ago: approving an erasure asks to confirm it is them.
    sign_in_ago(page, minutes=60)
    assert submit_answering_step_up(
        page, "Approve and start", user=officer, password=password
    )
    expect(page.get_by_role("button", name="Approve and start")).to_have_count(0)


def test_it_erases_what_an_officer_approves_and_nothing_else(
    browse, worker, alice, bob, catalog, captures_root, officer, password
):
    bobs_rows = device_rows("SN-BOB-1", columns=WITH_TIMES)
    assert bobs_rows and device_rows("SN-ALICE-1", columns=WITH_TIMES)
    files = captures_root

    employee = browse()
    sign_in(employee, alice.user, password)
    request = file_erasure(employee, alice, password)
    assert request.status in ("submitted", "awaiting_approval")

    team = browse()
    sign_in(team, officer, password)
    approve(team, request, officer, password)
    request.refresh_from_db()
    assert request.approved_by == officer

    wait_until(lambda: Request.objects.get(pk=request.pk).status == "completed")
    team.reload()
    expect(team.get_by_text("Completed").first).to_be_visible()
    assert device_rows("SN-ALICE-1", columns=WITH_TIMES) == []
    assert device_rows("SN-BOB-1", columns=WITH_TIMES) == bobs_rows
    assert not list((files / "captures/SN-ALICE-1").rglob("*.png"))
    assert (files / "captures/SN-BOB-1/2026-11-05/3.png").is_file()
    request.refresh_from_db()
    assert request.certificate.payload["verification"]["result"] == "passed"

    employee.reload()
    expect(
        employee.get_by_role("link", name="Download the erasure certificate")
    ).to_be_visible()


def prepare_bundle(page, regulator) -> None:
    page.goto(reverse("reports:bundle_list"))
    page.get_by_label("Regulator").select_option(label=regulator.get_username())
    page.get_by_label("Period from").fill("2000-01-01")
    page.get_by_label("Period to").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Prepare").click()
    expect(page.get_by_text("The bundle is being prepared.")).to_be_visible()


def test_a_regulator_downloads_the_bundle_prepared_for_them(
    browse, worker, alice, catalog, officer, regulator, password, tmp_path
):
    team = browse()
    sign_in(team, officer, password)
    prepare_bundle(team, regulator)
    bundle = Bundle.objects.get()
    assert (bundle.recipient, bundle.requested_by) == (regulator, officer)

    page = browse()
    sign_in(page, regulator, password)
    page.get_by_role("link", name="Reports").click()
    page.get_by_role("link", name="Evidence bundles").click()
    page.get_by_role("link", name="Open").click()
    # The worker builds it; the regulator refreshes until it is ready.
    refresh = page.get_by_role("link", name="Refresh now")
    working = (BundleStatus.PENDING, BundleStatus.RUNNING)
    wait_until(
        lambda: Bundle.objects.get(pk=bundle.pk).status not in working, timeout=120
    )
    if refresh.count():
        refresh.click()
    link = page.get_by_role("link", name="Download", exact=True)
    expect(link).to_be_visible()
    bundle.refresh_from_db()
    assert bundle.status == BundleStatus.READY

    sign_in_ago(page, minutes=60)
    got, stepped_up = download(page, link, user=regulator, password=password)
    assert stepped_up
    saved = tmp_path / got.suggested_filename
    got.save_as(saved)
    verification = bundle_verify(saved)
    assert verification.ok, verification
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == bundle.sha256
