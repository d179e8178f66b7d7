"""Failed sign-ins: locked by username AND address, OTP failures counted."""

from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.audit.models import AuditRecord
from tests.accounts.helpers import totp_code, totp_device
from tests.conftest import DEMO_PASSWORD

LOGIN = reverse("login")
IP_A, IP_B = "10.0.0.1", "10.0.0.2"


def _try(client, password: str, ip: str, username: str = "alice@example.com"):
    return client.post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_five_wrong_passwords_lock_that_user_from_that_address(client, alice):
    for _ in range(5):
        _try(client, "wrong", IP_A)
    locked = _try(client, DEMO_PASSWORD, IP_A)
    assert locked.status_code == 429
    assert b"Try again in 15 minutes" in locked.content
    assert "_auth_user_id" not in client.session
    # Five wrong passwords, and the right one refused while locked.
    failures = AuditRecord.objects.filter(
        detail__event="sign_in_failed", actor_id=alice.user.pk
    )
    assert failures.count() == 6
    assert AuditRecord.objects.filter(detail__event="locked_out").exists()


def test_the_same_user_from_another_address_still_signs_in(client, alice):
    for _ in range(5):
        _try(client, "wrong", IP_A)
    ok = _try(client, DEMO_PASSWORD, IP_B)
    assert ok.status_code == 302 and ok.url == reverse("people:my_data")
    assert client.session["_auth_user_id"] == str(alice.user.pk)


def test_another_user_from_the_attackers_address_is_not_locked(client, alice, bob):
    for _ in range(5):
        _try(client, "wrong", IP_A)
    ok = _try(client, DEMO_PASSWORD, IP_A, username="bob@example.com")
    assert ok.status_code == 302
    assert client.session["_auth_user_id"] == str(bob.user.pk)


def test_four_failures_do_not_lock(client, alice):
    for _ in range(4):
        _try(client, "wrong", IP_A)
    assert _try(client, DEMO_PASSWORD, IP_A).status_code == 302


def test_an_officer_unlocks_by_removing_the_attempts(client, alice):
    for _ in range(5):
        _try(client, "wrong", IP_A)
    assert _try(client, DEMO_PASSWORD, IP_A).status_code == 429
    AccessAttempt.objects.filter(username="alice@example.com").delete()
    assert _try(client, DEMO_PASSWORD, IP_A).status_code == 302


def test_otp_brute_force_is_refused(client, officer):
    device = totp_device(officer)
    client.post(
        LOGIN,
        {"username": "olga@example.com", "password": DEMO_PASSWORD},
        REMOTE_ADDR=IP_A,
    )
    verify = reverse("two_factor_verify")
    answers = []
    for guess in ("000000", "111111", "222222", "333333", "444444"):
        device.refresh_from_db()
        device.throttle_reset()  # past django-otp's own delay: axes must stop it
        answers.append(
            client.post(verify, {"otp_token": guess}, REMOTE_ADDR=IP_A).status_code
        )
    assert answers == [200, 200, 200, 200, 429]
    # Locked out: signed out, and even the right code cannot be tried.
    assert "_auth_user_id" not in client.session
    device.refresh_from_db()
    device.throttle_reset()
    again = client.post(
        LOGIN,
        {"username": "olga@example.com", "password": DEMO_PASSWORD},
        REMOTE_ADDR=IP_A,
    )
    assert again.status_code == 429
    assert (
        AuditRecord.objects.filter(
            detail__event="otp_failed", actor_id=officer.pk
        ).count()
        == 5
    )


def test_django_otp_counts_wrong_codes_per_device(client, officer):
    device = totp_device(officer)
    client.post(LOGIN, {"username": "olga@example.com", "password": DEMO_PASSWORD})
    client.post(reverse("two_factor_verify"), {"otp_token": "000000"})
    device.refresh_from_db()
    assert device.throttling_failure_count == 1


def test_a_throttled_device_refuses_even_the_right_code(client, officer):
    device = totp_device(officer)
    # Ten failures in a row: the next try waits 2**9 seconds.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=10, throttling_failure_timestamp=timezone.now()
    )
    client.post(LOGIN, {"username": "olga@example.com", "password": DEMO_PASSWORD})
    verify = reverse("two_factor_verify")
    refused = client.post(verify, {"otp_token": totp_code(device)})
    assert refused.status_code == 200
    assert b"Wait" in refused.content
    assert client.get(reverse("rights:officer_queue")).status_code == 302
