"""OpenID Connect single sign-on: the identity provider's claims mapped to
the User, their Employee and their roles (docs/accounts.md).

Off unless OIDC_RP_CLIENT_ID is set. On top of mozilla-django-oidc's checks
(signature against the provider's JWKS, expiry, nonce, state) the ID token's
audience must name this client and its issuer must be OIDC_OP_ISSUER.
A person is found by e-mail, then by employee number; created just in time
only when OIDC_CREATE_USER is on. Leavers and inactive users are refused.
Roles come from the groups claim through OIDC_GROUP_ROLES only.
"""

from __future__ import annotations

import logging

import jwt
import requests
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from apps.governance.roles import ROLES
from apps.people.models import Employee, Identifier, IdentifierKind, User

log = logging.getLogger(__name__)

# Why the last sign-in was refused, for the refusal page (request attribute).
REFUSAL_ATTR = "accounts_oidc_refusal"
ID_CLAIMS_ATTR = "accounts_oidc_id_claims"
UNKNOWN, LEAVER, INVALID = "unknown", "leaver", "invalid"


def oidc_enabled() -> bool:
    return bool(settings.OIDC_RP_CLIENT_ID)


def roles_from_claims(claims: dict) -> set[str] | None:
    """The Candor roles the groups claim maps to; None when the claim is absent
    (roles are then left as they are). A group not in OIDC_GROUP_ROLES, or
    mapped to a name that is not a role, grants nothing."""
    groups = claims.get(settings.OIDC_CLAIM_GROUPS)
    if groups is None:
        return None
    if isinstance(groups, str):
        groups = [groups]
    mapping = settings.OIDC_GROUP_ROLES
    return {mapping[g] for g in groups if g in mapping and mapping[g] in ROLES}


def roles_apply(*, user: User, roles: set[str]) -> None:
    """Make the user's role groups exactly `roles`; other groups are kept."""
    held = set(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
    user.groups.remove(*Group.objects.filter(name__in=held - roles))
    user.groups.add(*Group.objects.filter(name__in=roles - held))


def _refuse(request, reason: str) -> None:
    if request is not None:
        setattr(request, REFUSAL_ATTR, reason)


class CandorOIDCBackend(OIDCAuthenticationBackend):
    def authenticate(self, request, **kwargs):
        if not oidc_enabled() or request is None:
            return None
        try:
            return super().authenticate(request, **kwargs)
        except (SuspiciousOperation, jwt.PyJWTError, requests.RequestException) as exc:
            log.warning("single sign-on refused: %s", exc)
            _refuse(request, INVALID)
            return None

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = [audience] if isinstance(audience, str) else list(audience or [])
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ID token is for another client")
        if len(audiences) > 1 and payload.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise SuspiciousOperation("ID token's authorized party is another client")
        issuer = settings.OIDC_OP_ISSUER
        if issuer and payload.get("iss") != issuer:
            raise SuspiciousOperation("ID token from another issuer")
        if "exp" not in payload:
            raise SuspiciousOperation("ID token without expiry")
        setattr(self.request, ID_CLAIMS_ATTR, payload)
        return payload

    def get_userinfo(self, access_token, id_token, payload):
        # Some providers put groups or the employee number only in the ID
        # token, others only in userinfo: read both, userinfo winning.
        return {**payload, **super().get_userinfo(access_token, id_token, payload)}

    def verify_claims(self, claims) -> bool:
        return bool(
            claims.get(settings.OIDC_CLAIM_EMAIL)
            or claims.get(settings.OIDC_CLAIM_EMPLOYEE_NUMBER)
        )

    def filter_users_by_claims(self, claims):
        email = (claims.get(settings.OIDC_CLAIM_EMAIL) or "").strip()
        number = str(claims.get(settings.OIDC_CLAIM_EMPLOYEE_NUMBER) or "").strip()
        if email:
            found = Employee.objects.filter(work_email__iexact=email)
            if found.exists():
                return User.objects.filter(employee__in=found)
        if number:
            found = Employee.objects.filter(employee_number=number)
            if found.exists():
                return User.objects.filter(employee__in=found)
        if email:
            return User.objects.filter(email__iexact=email)
        return User.objects.none()

    def get_or_create_user(self, access_token, id_token, payload):
        user = super().get_or_create_user(access_token, id_token, payload)
        if user is None and not hasattr(self.request, REFUSAL_ATTR):
            _refuse(self.request, UNKNOWN)
        return user

    @transaction.atomic
    def create_user(self, claims):
        email = (claims.get(settings.OIDC_CLAIM_EMAIL) or "").strip()
        number = str(claims.get(settings.OIDC_CLAIM_EMPLOYEE_NUMBER) or "").strip()
        if not email or not number:
            # An Employee needs both; without them the person is unknown here.
            _refuse(self.request, UNKNOWN)
            raise SuspiciousOperation("just-in-time creation needs e-mail and number")
        user = User(username=email.lower(), email=User.objects.normalize_email(email))
        user.set_unusable_password()
        user.full_clean()
        user.save()
        employee = Employee.objects.create(
            user=user,
            employee_number=number,
            work_email=email,
            full_name=claims.get(settings.OIDC_CLAIM_NAME) or email,
        )
        Identifier.objects.bulk_create(
            [
                Identifier(employee=employee, kind=IdentifierKind.EMAIL, value=email),
                Identifier(
                    employee=employee, kind=IdentifierKind.EMPLOYEE_NUMBER, value=number
                ),
            ]
        )
        return self.update_user(user, claims)

    def update_user(self, user, claims):
        employee = Employee.objects.filter(user=user).first()
        if not user.is_active or (employee is not None and employee.is_leaver):
            _refuse(self.request, LEAVER)
            raise SuspiciousOperation("a leaver or an inactive user")
        roles = roles_from_claims(claims)
        if roles is not None:
            roles_apply(user=user, roles=roles)
        return user

    def get_user(self, user_id):
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None
