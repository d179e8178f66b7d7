"""Two-factor for staff: enrolment, the second step, recovery codes, the
gate in front of every page, the admin."""

import re

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.audit.models import AuditRecord
from tests.accounts.helpers import totp_code, totp_device, verified_login
from tests.conftest import DEMO_PASSWORD

LOGIN = reverse("login")


def _sign_in(client, username: str, next_url: str = ""):
    data = {"username": username, "password": DEMO_PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(LOGIN, data)


def test_staff_without_a_device_are_sent_to_enrolment(client, officer):
    response = _sign_in(client, "olga@example.com")
    assert response.status_code == 302
    assert response.url.startswith(reverse("two_factor_setup"))
    record = AuditRecord.objects.get(detail__event="signed_in")
    assert (record.actor_id, record.detail["method"]) == (officer.pk, "password")


def test_until_verified_staff_reach_only_the_two_factor_pages(client, officer):
    _sign_in(client, "olga@example.com")
    for url in (
        reverse("people:my_data"),
        reverse("rights:officer_queue"),
        "/admin/",
        "/api/v1/rights/requests/",
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("two_factor_setup")), url
    assert client.get(reverse("two_factor_setup")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_enrolment_shows_a_qr_code_and_the_secret_then_codes_once(client, officer):
    _sign_in(client, "olga@example.com")
    page = client.get(reverse("two_factor_setup"))
    assert b"<svg" in page.content
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    secret = page.context["secret"]
    assert re.fullmatch(r"[A-Z2-7]+", secret)
    assert secret.encode() in page.content
    wrong = client.post(reverse("two_factor_setup"), {"otp_token": "000000"})
    assert wrong.status_code == 200
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
    device.refresh_from_db()
    device.throttle_reset()  # a wrong code slows the next try by a second
    done = client.post(reverse("two_factor_setup"), {"otp_token": totp_code(device)})
    assert done.url.startswith(reverse("two_factor_recovery_codes"))
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    codes_page = client.get(done.url)
    codes = codes_page.context["codes"]
    assert len(codes) == 10
    stored = StaticToken.objects.filter(device__user=officer)
    assert sorted(stored.values_list("token", flat=True)) == sorted(codes)
    # Shown once only.
    assert client.get(reverse("two_factor_recovery_codes")).status_code == 302
    # And the session is verified: the queue opens.
    assert client.get(reverse("rights:officer_queue")).status_code == 200
    assert AuditRecord.objects.filter(
        actor_id=officer.pk, detail__event="otp_enrolled"
    ).exists()


def test_staff_with_a_device_get_the_second_step(client, officer):
    device = totp_device(officer)
    response = _sign_in(client, "olga@example.com", reverse("rights:officer_queue"))
    assert response.url.startswith(reverse("two_factor_verify"))
    page = client.get(response.url)
    assert b'name="otp_token"' in page.content
    wrong = client.post(response.url, {"otp_token": "123456"})
    assert wrong.status_code == 200
    assert wrong.context["form"].errors
    assert client.get(reverse("rights:officer_queue")).status_code == 302
    device.throttle_reset()
    ok = client.post(response.url, {"otp_token": totp_code(device)})
    assert ok.url == reverse("rights:officer_queue")
    assert client.get(reverse("rights:officer_queue")).status_code == 200


def test_a_recovery_code_works_once(client, officer):
    totp_device(officer)
    static = StaticDevice.objects.create(user=officer, name="Recovery codes")
    static.token_set.create(token="abcd1234")
    static.token_set.create(token="efgh5678")
    _sign_in(client, "olga@example.com")
    ok = client.post(reverse("two_factor_verify"), {"otp_token": "abcd1234"})
    assert ok.status_code == 302
    assert client.get(reverse("rights:officer_queue")).status_code == 200
    assert list(static.token_set.values_list("token", flat=True)) == ["efgh5678"]
    record = AuditRecord.objects.get(detail__event="recovery_code_used")
    assert (record.actor_id, record.detail["codes_left"]) == (officer.pk, 1)
    client.post(reverse("logout"))
    _sign_in(client, "olga@example.com")
    again = client.post(reverse("two_factor_verify"), {"otp_token": "abcd1234"})
    assert again.status_code == 200
    assert client.get(reverse("rights:officer_queue")).status_code == 302


def test_employees_are_not_forced(client, alice):
    response = _sign_in(client, "alice@example.com")
    assert response.url == reverse("people:my_data")
    assert client.get(reverse("people:my_data")).status_code == 200


def test_an_employee_may_enrol_and_is_then_asked(client, alice):
    _sign_in(client, "alice@example.com")
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=alice.user)
    client.post(reverse("two_factor_setup"), {"otp_token": totp_code(device)})
    client.post(reverse("logout"))
    response = _sign_in(client, "alice@example.com")
    assert response.url.startswith(reverse("two_factor_verify"))


@pytest.mark.parametrize("flag", ["is_staff", "is_superuser"])
def test_admin_flags_count_as_staff(client, alice, flag):
    setattr(alice.user, flag, True)
    alice.user.save()
    response = _sign_in(client, "alice@example.com")
    assert response.url.startswith(reverse("two_factor_setup"))


def test_the_admin_needs_the_second_factor_too(client, roles, alice):
    alice.user.is_staff = alice.user.is_superuser = True
    alice.user.save()
    # The admin's own sign-in form is replaced by ours.
    login = client.get("/admin/login/?next=/admin/")
    assert login.status_code == 302 and login.url.startswith(LOGIN)
    client.force_login(alice.user)
    assert client.get("/admin/").url.startswith(reverse("two_factor_setup"))
    verified_login(client, alice.user)
    assert client.get("/admin/").status_code == 200
    # Axes' tables are in the admin.
    assert client.get("/admin/axes/accessattempt/").status_code == 200


def test_the_requirement_can_be_switched_off(client, officer, settings):
    settings.ACCOUNTS_REQUIRE_STAFF_2FA = False
    client.force_login(officer)
    assert client.get(reverse("rights:officer_queue")).status_code == 200


def test_verified_login_helper_passes_the_gate(client, officer):
    verified_login(client, officer)
    assert client.get(reverse("rights:officer_queue")).status_code == 200


def test_pages_need_a_signed_in_user(client, db):
    for name in ("two_factor_verify", "two_factor_setup", "two_factor_recovery_codes"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response.url.startswith(LOGIN)


def test_wrong_methods_are_refused(client, alice):
    client.force_login(alice.user)
    for name in ("two_factor_verify", "two_factor_setup", "step_up"):
        assert client.put(reverse(name)).status_code == 405
    assert client.post(reverse("two_factor_recovery_codes")).status_code == 405
