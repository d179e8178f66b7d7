"""The single sign-on round trip (mozilla-django-oidc's views, adapted).

404 while OIDC is off. A refused sign-in (unknown person with just-in-time
creation off, a leaver, a token that fails a check, a replayed or forged
state) gets a page saying so, and is audited. A step-up asks the provider
for a fresh sign-in (prompt=login, max_age=0) and counts only if the ID
token's auth_time is recent.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from apps.accounts import audit
from apps.accounts.oidc import (
    ID_CLAIMS_ATTR,
    INVALID,
    REFUSAL_ATTR,
    oidc_enabled,
)
from apps.accounts.two_factor import IDP_MFA_SESSION_KEY, second_step_redirect

STEP_UP_SESSION_KEY = "accounts_oidc_step_up"
# Set by a fresh round trip to the provider; the step-up page completes it
# (with the second factor for staff, unless the provider did multi-factor).
IDP_REAUTH_SESSION_KEY = "accounts_idp_reauth_at"


def _did_mfa(claims: dict) -> bool:
    amr = claims.get("amr") or []
    if isinstance(amr, str):
        amr = [amr]
    return bool(set(amr) & set(settings.OIDC_MFA_AMR_VALUES))


def _fresh(claims: dict) -> bool:
    auth_time = claims.get("auth_time")
    if not isinstance(auth_time, int | float):
        return False
    return time.time() - auth_time <= settings.ACCOUNTS_STEP_UP_MINUTES * 60


class RequestView(OIDCAuthenticationRequestView):
    def get_extra_params(self, request):
        params = super().get_extra_params(request)
        step_up = bool(request.GET.get("step_up")) and request.user.is_authenticated
        request.session[STEP_UP_SESSION_KEY] = step_up
        if step_up:
            params.update(prompt="login", max_age="0")
        return params


class CallbackView(OIDCAuthenticationCallbackView):
    def get(self, request):
        try:
            return super().get(request)
        except SuspiciousOperation:
            setattr(request, REFUSAL_ATTR, INVALID)
            return self.login_failure()

    def login_failure(self):
        reason = getattr(self.request, REFUSAL_ATTR, INVALID)
        audit.audit_sign_in_event(
            event=audit.SSO_REFUSED, request=self.request, reason=reason
        )
        return render(
            self.request, "accounts/sso_refused.html", {"reason": reason}, status=403
        )

    def login_success(self):
        request = self.request
        claims = getattr(request, ID_CLAIMS_ATTR, {}) or {}
        stepping_up = request.session.pop(STEP_UP_SESSION_KEY, False)
        if stepping_up and request.user.is_authenticated and request.user == self.user:
            if not _fresh(claims):
                setattr(request, REFUSAL_ATTR, "stale")
                return self.login_failure()
            request.session[IDP_REAUTH_SESSION_KEY] = time.time()
        else:
            auth.login(request, self.user)
            audit.audit_sign_in_event(
                event=audit.SIGNED_IN, request=request, user=self.user, method="oidc"
            )
        if _did_mfa(claims):
            request.session[IDP_MFA_SESSION_KEY] = self.user.pk
        return second_step_redirect(request, self.success_url)


def _only_when_enabled(view):
    @require_GET
    @login_not_required
    def wrapper(request, *args, **kwargs) -> HttpResponse:
        if not oidc_enabled():
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


authenticate = _only_when_enabled(RequestView.as_view())
callback = _only_when_enabled(CallbackView.as_view())
