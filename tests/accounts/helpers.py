"""Helpers for tests that sign people in with two-factor on.

`verified_login(client, user)` is the drop-in for `client.force_login(user)`
in suites that keep ACCOUNTS_REQUIRE_STAFF_2FA on: it signs in and marks the
session as having passed the second factor with a real confirmed device,
exactly as the verify page does.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import requests
from django.contrib.auth.models import Group
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.people.models import User


def totp_device(user: User) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(
        user=user, name="Authenticator app", confirmed=True
    )


def totp_code(device: TOTPDevice) -> str:
    """A code the device accepts now: the current step, or the next one if
    the current step was used already (django-otp refuses a replay)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.time = time.time()
    now_step = totp.t()
    totp.drift = max(0, device.last_t + 1 - now_step)
    return f"{totp.token():0{device.digits}d}"


def verified_login(client, user: User) -> None:
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
    session.save()


def give_role(user: User, *roles: str) -> User:
    for role in roles:
        user.groups.add(Group.objects.get(name=role))
    return user


def follow_sso(client, provider, start_url: str):
    """Play the browser: Candor -> the provider (real HTTP) -> Candor's
    callback. Returns the callback's response."""
    to_provider = client.get(start_url)
    assert to_provider.status_code == 302, to_provider
    assert to_provider.url.startswith(provider.url)
    answer = requests.get(to_provider.url, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    return client.get(f"{back.path}?{back.query}")
