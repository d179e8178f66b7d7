"""Step-up re-authentication before erasure approval, case approval, bundle
download and the employee's own archive download."""

import datetime as dt
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from apps.accounts.stepup import SESSION_KEY, STEPPED_UP_KEY
from apps.audit.models import AuditRecord
from apps.governance.models import Case, CaseStatus
from apps.reports.models import Bundle
from tests.accounts.helpers import (
    follow_sso,
    give_role,
    totp_code,
    totp_device,
    verified_login,
)
from tests.conftest import DEMO_PASSWORD, make_employee
from tests.governance.factories import make_dataset, open_case
from tests.rights.conftest import light_catalog  # noqa: F401 - a fixture
from tests.rights.pages import file

STEP_UP = reverse("step_up")


def _stale(client, minutes: int = 10) -> None:
    session = client.session
    session[SESSION_KEY] = (timezone.now() - dt.timedelta(minutes=minutes)).isoformat()
    session.pop(STEPPED_UP_KEY, None)
    session.save()


def _next_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["next"][0]


@pytest.fixture
def erasure(alice, light_catalog):  # noqa: F811
    return file(alice, kind="erasure")


def _approve_url(req) -> str:
    return reverse("rights:officer_approve", kwargs={"public_id": req.public_id})


def _request_page(req) -> str:
    return reverse("rights:officer_request", kwargs={"public_id": req.public_id})


def test_erasure_approval_asks_for_step_up_and_keeps_nothing(client, officer, erasure):
    verified_login(client, officer)
    _stale(client)
    erasure.refresh_from_db()
    response = client.post(_approve_url(erasure), {"reason": "Checked"})
    assert response.status_code == 302
    assert response.url.startswith(STEP_UP)
    # Back to the page with the form afterwards, never a replayed POST.
    assert _next_of(response.url) == _request_page(erasure)
    before = erasure.status
    erasure.refresh_from_db()
    assert (erasure.status, erasure.approved_by) == (before, None)


def test_after_step_up_the_officer_approves(client, officer, erasure):
    verified_login(client, officer)
    _stale(client)
    page = client.get(f"{STEP_UP}?next={_request_page(erasure)}")
    assert b'name="password"' in page.content and b'name="otp_token"' in page.content
    done = client.post(
        STEP_UP,
        {
            "password": DEMO_PASSWORD,
            "otp_token": totp_code(totp_device(officer)),
            "next": _request_page(erasure),
        },
    )
    assert done.status_code == 302 and done.url == _request_page(erasure)
    approved = client.post(_approve_url(erasure), {"reason": "Checked"})
    assert approved.url == _request_page(erasure)
    erasure.refresh_from_db()
    assert erasure.approved_by == officer
    record = AuditRecord.objects.get(detail__event="stepped_up")
    assert (record.actor_id, record.detail["method"]) == (officer.pk, "password")


def test_a_wrong_password_or_code_does_not_step_up(client, officer, erasure):
    verified_login(client, officer)
    _stale(client)
    device = totp_device(officer)
    wrong_password = client.post(
        STEP_UP, {"password": "nope", "otp_token": totp_code(device)}
    )
    assert wrong_password.status_code == 200
    wrong_code = client.post(STEP_UP, {"password": DEMO_PASSWORD, "otp_token": "1"})
    assert wrong_code.status_code == 200
    assert STEPPED_UP_KEY not in client.session
    assert client.post(_approve_url(erasure), {}).url.startswith(STEP_UP)


def test_other_approvals_need_no_step_up(client, officer, alice, light_catalog):  # noqa: F811
    req = file(alice, kind="restriction")
    verified_login(client, officer)
    _stale(client)
    response = client.post(_approve_url(req), {"reason": "Checked"})
    assert response.url == _request_page(req)
    req.refresh_from_db()
    assert req.approved_by == officer


def test_a_fresh_sign_in_counts_as_step_up(client, officer, erasure):
    verified_login(client, officer)
    response = client.post(_approve_url(erasure), {"reason": "Checked"})
    assert response.url == _request_page(erasure)
    erasure.refresh_from_db()
    assert erasure.approved_by == officer


def test_strangers_still_get_404_not_a_step_up(client, alice, erasure, roles):
    client.force_login(alice.user)
    _stale(client)
    assert client.post(_approve_url(erasure), {}).status_code == 404


def test_the_api_refuses_a_stale_browser_session(client, officer, erasure):
    verified_login(client, officer)
    _stale(client)
    url = reverse("api:rights_approve", kwargs={"public_id": erasure.public_id})
    refused = client.post(url, {}, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["step_up_url"].endswith(STEP_UP)
    erasure.refresh_from_db()
    assert erasure.approved_by is None
    session = client.session
    session[SESSION_KEY] = timezone.now().isoformat()
    session.save()
    assert client.post(url, {}, content_type="application/json").status_code == 200


@pytest.fixture
def case(roles, alice, dpo):
    investigator = give_role(
        make_employee("ivan", number="S00009").user, "security_investigator"
    )
    return open_case(investigator, alice, [make_dataset("keystrokes")])


def test_case_approval_asks_for_step_up(client, dpo, case):
    verified_login(client, dpo)
    _stale(client)
    url = reverse("governance:case_approve", kwargs={"pk": case.pk})
    response = client.post(url, {"reason": "Proportionate"})
    assert response.url.startswith(STEP_UP)
    assert _next_of(response.url) == reverse("governance:case_queue")
    case.refresh_from_db()
    assert case.status == CaseStatus.REQUESTED
    # Rejecting is not sensitive: no step-up.
    reject = reverse("governance:case_reject", kwargs={"pk": case.pk})
    assert client.post(reject, {"reason": "No"}).url == reverse("governance:case_queue")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.REJECTED


def test_bundle_download_asks_for_step_up(client, dpo):
    folder = Path(settings.REPORTS_BUNDLE_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "stepup.zip").write_bytes(b"PK\x05\x06" + bytes(18))
    bundle = Bundle.objects.create(
        recipient=dpo,
        requested_by=dpo,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 1, 31),
        status="ready",
        sha256="0" * 64,
        file_name="stepup.zip",
    )
    url = reverse("reports:bundle_download", kwargs={"public_id": bundle.public_id})
    verified_login(client, dpo)
    assert client.get(url).status_code == 200
    _stale(client)
    response = client.get(url)
    assert response.url.startswith(STEP_UP) and _next_of(response.url) == url


def test_an_employee_steps_up_with_the_password_only(client, alice):
    client.force_login(alice.user)
    _stale(client, minutes=60)
    page = client.get(f"{STEP_UP}?next=/rights/")
    assert b'name="password"' in page.content
    assert b'name="otp_token"' not in page.content
    done = client.post(STEP_UP, {"password": DEMO_PASSWORD, "next": "/rights/"})
    assert done.url == "/rights/"
    assert STEPPED_UP_KEY in client.session


def test_step_up_never_sends_elsewhere(client, alice):
    client.force_login(alice.user)
    done = client.post(
        STEP_UP, {"password": DEMO_PASSWORD, "next": "https://evil.example/"}
    )
    assert done.url == reverse(settings.LOGIN_REDIRECT_URL)


def _sso_only(user) -> None:
    user.set_unusable_password()
    user.save()


def test_step_up_through_the_identity_provider(client, provider, dpo, case):
    _sso_only(dpo)
    provider.person = {"email": "dora@example.com", "groups": ["dpo-office"]}
    provider.amr = ["pwd", "mfa"]
    follow_sso(client, provider, "/oidc/authenticate/")
    _stale(client)
    queue = reverse("governance:case_queue")
    page = client.get(f"{STEP_UP}?next={queue}")
    link = page.context["idp_url"]
    back = follow_sso(client, provider, link)
    sent = provider.authorize_requests[-1]
    assert (sent["prompt"], sent["max_age"]) == ("login", "0")
    assert back.url.startswith(STEP_UP)
    done = client.get(back.url)
    assert done.url == queue
    url = reverse("governance:case_approve", kwargs={"pk": case.pk})
    assert client.post(url, {"reason": "Proportionate"}).url == queue
    assert Case.objects.get(pk=case.pk).status == CaseStatus.APPROVED


def test_a_provider_that_did_not_ask_again_is_not_a_step_up(client, provider, dpo):
    _sso_only(dpo)
    provider.person = {"email": "dora@example.com", "groups": ["dpo-office"]}
    provider.amr = ["mfa"]
    follow_sso(client, provider, "/oidc/authenticate/")
    _stale(client)
    page = client.get(f"{STEP_UP}?next=/")
    provider.tamper = "stale_auth_time"
    refused = follow_sso(client, provider, page.context["idp_url"])
    assert refused.status_code == 403
    assert STEPPED_UP_KEY not in client.session


def test_a_token_cannot_approve_an_erasure(client, officer, erasure):
    """An API token passed no second factor: approving an erasure needs a
    stepped-up browser session, and a bogus Authorization header beside a
    stale session does not skip the step-up."""
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=officer)
    url = reverse("api:rights_approve", kwargs={"public_id": erasure.public_id})
    refused = client.post(
        url, {}, content_type="application/json", HTTP_AUTHORIZATION=f"Token {token}"
    )
    assert refused.status_code == 403
    assert "API token cannot approve" in refused.json()["detail"]
    verified_login(client, officer)
    _stale(client)
    bogus = client.post(
        url, {}, content_type="application/json", HTTP_AUTHORIZATION="Basic eDp5"
    )
    assert bogus.status_code == 403
    assert bogus.json()["step_up_url"].endswith(STEP_UP)
    erasure.refresh_from_db()
    assert erasure.approved_by is None
