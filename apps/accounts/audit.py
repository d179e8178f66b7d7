"""Audit records of sign-in events (apps.audit's append-only chain), each
under its own action, with the event's name in detail["event"] too."""

from __future__ import annotations

from django.http import HttpRequest

from apps.audit.models import AuditAction
from apps.audit.services import audit_record_access
from apps.people.models import User

SIGNED_IN = "signed_in"
SIGN_IN_FAILED = "sign_in_failed"
LOCKED_OUT = "locked_out"
OTP_ENROLLED = "otp_enrolled"
OTP_FAILED = "otp_failed"
RECOVERY_CODE_USED = "recovery_code_used"
STEPPED_UP = "stepped_up"
SSO_REFUSED = "sso_refused"

EVENT_ACTIONS = {
    SIGNED_IN: AuditAction.SIGNED_IN,
    OTP_ENROLLED: AuditAction.TWO_FACTOR_ENROLLED,
    RECOVERY_CODE_USED: AuditAction.RECOVERY_CODE_USED,
    STEPPED_UP: AuditAction.STEPPED_UP,
    SIGN_IN_FAILED: AuditAction.SIGN_IN_FAILED,
    OTP_FAILED: AuditAction.TWO_FACTOR_FAILED,
    LOCKED_OUT: AuditAction.SIGN_IN_LOCKED_OUT,
    SSO_REFUSED: AuditAction.SSO_REFUSED,
}
PURPOSES = {
    SIGNED_IN: "Sign-in",
    SIGN_IN_FAILED: "Failed sign-in",
    LOCKED_OUT: "Sign-in locked out after repeated failures",
    OTP_ENROLLED: "Two-factor enrolment",
    OTP_FAILED: "Wrong two-factor code",
    RECOVERY_CODE_USED: "Sign-in with a recovery code",
    STEPPED_UP: "Re-authentication before a sensitive action",
    SSO_REFUSED: "Single sign-on refused",
}


def client_address(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    return request.META.get("REMOTE_ADDR", "")


def audit_sign_in_event(
    *,
    event: str,
    request: HttpRequest | None,
    user: User | None = None,
    username: str = "",
    **detail,
) -> None:
    """Append one sign-in event. `username` names an attempt without a user."""
    actor = user if user is not None and user.pk else None
    record = {"event": event, "ip": client_address(request), **detail}
    if actor is None and username:
        record["username"] = username[:150]
    audit_record_access(
        actor=actor,
        subject=None,
        action=EVENT_ACTIONS[event],
        purpose=PURPOSES[event],
        detail=record,
    )


def _user_named(username: str) -> User | None:
    if not username:
        return None
    return User.objects.filter(username=username).first()


def on_sign_in_failed(sender, credentials: dict, request=None, **kwargs) -> None:
    """user_login_failed receiver: a wrong password (or a wrong OTP code,
    which the verify step reports the same way so that axes counts it)."""
    username = credentials.get("username") or ""
    audit_sign_in_event(
        event=OTP_FAILED if credentials.get("otp_step") else SIGN_IN_FAILED,
        request=request,
        user=_user_named(username),
        username=username,
    )


def on_locked_out(sender, request, username=None, ip_address=None, **kwargs) -> None:
    """axes' user_locked_out receiver."""
    audit_sign_in_event(
        event=LOCKED_OUT,
        request=request,
        user=_user_named(username or ""),
        username=username or "",
    )
