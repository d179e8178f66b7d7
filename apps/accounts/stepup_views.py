"""The step-up page: confirm it is you before a sensitive action."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from apps.accounts import audit
from apps.accounts.forms import StepUpForm
from apps.accounts.oidc import oidc_enabled
from apps.accounts.oidc_views import IDP_REAUTH_SESSION_KEY
from apps.accounts.staff import second_factor_required
from apps.accounts.stepup import step_up_done
from apps.accounts.two_factor import has_confirmed_device, otp_check
from apps.accounts.views import locked_out_response, safe_next


def _idp_reauthenticated(request: HttpRequest) -> bool:
    when = request.session.get(IDP_REAUTH_SESSION_KEY)
    window = settings.ACCOUNTS_STEP_UP_MINUTES * 60
    return isinstance(when, int | float) and time.time() - when <= window


def _password_user(request: HttpRequest) -> bool:
    return settings.ACCOUNTS_LOCAL_LOGIN and request.user.has_usable_password()


@require_http_methods(["GET", "POST"])
@never_cache
@login_required
def step_up(request: HttpRequest) -> HttpResponse:
    """Password (or a fresh sign-in at the identity provider) and, for staff,
    the second factor; then back to `next`."""
    user = request.user
    next_url = safe_next(request)
    via_idp = not _password_user(request)
    if via_idp and not _idp_reauthenticated(request):
        if not oidc_enabled():
            return render(request, "accounts/step_up.html", {"impossible": True})
        query = urlencode({"step_up": 1, "next": request.get_full_path()})
        return render(
            request,
            "accounts/step_up.html",
            {"idp_url": f"{reverse('oidc_authentication_init')}?{query}"},
        )
    ask_otp = second_factor_required(user) and has_confirmed_device(user)
    if via_idp and not ask_otp:
        return _done(request, next_url, "oidc")
    form = StepUpForm(request.POST or None, ask_password=not via_idp, ask_otp=ask_otp)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not via_idp and not _password_matches(request, data["password"]):
            if getattr(request, "axes_locked_out", False):
                return locked_out_response(request)
            form.add_error("password", _("That password is not right."))
        elif ask_otp:
            result = otp_check(request=request, token=data["otp_token"])
            if result.locked_out:
                return locked_out_response(request)
            if result.verified:
                return _done(request, next_url, "oidc" if via_idp else "password")
            form.add_error("otp_token", _("That code is not right."))
        else:
            return _done(request, next_url, "password")
    return render(request, "accounts/step_up.html", {"form": form, "next": next_url})


def _password_matches(request: HttpRequest, password: str) -> bool:
    # Through authenticate(), so that axes counts a wrong password here too.
    user = authenticate(
        request, username=request.user.get_username(), password=password
    )
    return user is not None and user.pk == request.user.pk


def _done(request: HttpRequest, next_url: str, method: str) -> HttpResponse:
    step_up_done(request)
    request.session.pop(IDP_REAUTH_SESSION_KEY, None)
    audit.audit_sign_in_event(
        event=audit.STEPPED_UP, request=request, user=request.user, method=method
    )
    return HttpResponseRedirect(next_url)
