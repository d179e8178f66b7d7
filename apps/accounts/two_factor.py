"""Two-factor services: enrolment, verification, recovery codes.

A session counts as verified when django-otp says so (a device was used in
it) or when the identity provider said, in this session's ID token, that it
did multi-factor itself (apps.accounts.oidc).
"""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts import audit
from apps.accounts.staff import second_factor_required
from apps.people.models import User

IDP_MFA_SESSION_KEY = "accounts_idp_mfa_user"
NEW_CODES_SESSION_KEY = "accounts_new_recovery_codes"
RECOVERY_CODE_COUNT = 10
TOTP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"


def session_verified(request: HttpRequest) -> bool:
    user = request.user
    if not user.is_authenticated:
        return False
    is_verified = getattr(user, "is_verified", None)
    if is_verified is not None and is_verified():
        return True
    return request.session.get(IDP_MFA_SESSION_KEY) == user.pk


def has_confirmed_device(user: User) -> bool:
    return any(devices_for_user(user, confirmed=True))


def pending_totp_device(user: User) -> TOTPDevice:
    """The unconfirmed authenticator being set up (created on first call)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(
        user=user, name=TOTP_NAME, confirmed=False
    )


def totp_secret(device: TOTPDevice) -> str:
    """The secret as authenticator apps type it (base32, no padding)."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def totp_qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an inline SVG QR code, made here, not by a CDN."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    return image.to_string(encoding="unicode")


@transaction.atomic
def totp_confirm(
    *, request: HttpRequest, device: TOTPDevice, token: str
) -> list[str] | None:
    """Confirm the authenticator with a code from it. On success the session
    is verified and a fresh set of recovery codes is returned (shown once);
    None when the code is wrong."""
    user = request.user
    if device.user_id != user.pk or not device.verify_token(token):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    codes = recovery_codes_replace(user=user)
    otp_login(request, device)
    audit.audit_sign_in_event(event=audit.OTP_ENROLLED, request=request, user=user)
    return codes


def recovery_codes_replace(*, user: User) -> list[str]:
    """Drop the user's recovery codes and make RECOVERY_CODE_COUNT new ones."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=code) for code in codes
    )
    return codes


@dataclass(frozen=True)
class CheckResult:
    verified: bool
    locked_out: bool = False
    # Seconds until a throttled device accepts another try (django-otp).
    wait_seconds: int = 0
    recovery_codes_left: int | None = None


def _credentials(user: User) -> dict:
    return {"username": user.get_username(), "otp_step": True}


def is_locked_out(request: HttpRequest, user: User) -> bool:
    return not AxesProxyHandler.is_allowed(request, _credentials(user))


def _throttle_wait(devices) -> int:
    waits = []
    for device in devices:
        allowed, data = device.verify_is_allowed()
        if allowed:
            return 0
        until = (data or {}).get("locked_until")
        waits.append(int(until.timestamp()) if until else 0)
    return max(0, min(waits, default=0) - int(time.time()))


def otp_check(*, request: HttpRequest, token: str) -> CheckResult:
    """Try `token` (a TOTP code or a recovery code) against the user's
    confirmed devices. A wrong code counts as a failed sign-in for axes
    (username + address) on top of each device's own throttle."""
    user = request.user
    if is_locked_out(request, user):
        return CheckResult(verified=False, locked_out=True)
    devices = list(devices_for_user(user, confirmed=True))
    token = token.strip().replace(" ", "")
    for device in devices:
        if device.verify_token(token):
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                audit.audit_sign_in_event(
                    event=audit.RECOVERY_CODE_USED,
                    request=request,
                    user=user,
                    codes_left=left,
                )
                return CheckResult(verified=True, recovery_codes_left=left)
            return CheckResult(verified=True)
    user_login_failed.send(
        sender=__name__, credentials=_credentials(user), request=request
    )
    return CheckResult(
        verified=False,
        locked_out=is_locked_out(request, user),
        wait_seconds=_throttle_wait(devices),
    )


def second_step_redirect(request: HttpRequest, next_url: str) -> HttpResponse:
    """Where a just-signed-in person goes: the second step when they need
    one, else where they were going."""
    if second_factor_required(request.user) and not session_verified(request):
        name = (
            "two_factor_verify"
            if has_confirmed_device(request.user)
            else "two_factor_setup"
        )
        return HttpResponseRedirect(f"{reverse(name)}?{urlencode({'next': next_url})}")
    return HttpResponseRedirect(next_url)
