"""Sign-in pages: password sign-in, the second step, enrolment, recovery
codes. Single sign-on lives in apps.accounts.oidc_views, step-up in
apps.accounts.stepup_views."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required, login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from apps.accounts import audit
from apps.accounts.forms import OTPTokenForm
from apps.accounts.oidc import oidc_enabled
from apps.accounts.two_factor import (
    NEW_CODES_SESSION_KEY,
    has_confirmed_device,
    otp_check,
    pending_totp_device,
    second_step_redirect,
    session_verified,
    totp_confirm,
    totp_qr_svg,
    totp_secret,
)


def safe_next(request: HttpRequest, default: str | None = None) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(default or settings.LOGIN_REDIRECT_URL)


class LoginView(auth_views.LoginView):
    """Password sign-in where enabled, the single sign-on button when OIDC is
    on. A password POSTed while local sign-in is off is refused."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            local_login=settings.ACCOUNTS_LOCAL_LOGIN,
            oidc_enabled=oidc_enabled(),
            oidc_provider_name=settings.OIDC_PROVIDER_NAME,
        )
        return context

    def post(self, request, *args, **kwargs):
        if not settings.ACCOUNTS_LOCAL_LOGIN:
            messages.error(
                request, _("Password sign-in is turned off here: use single sign-on.")
            )
            return self.render_to_response(self.get_context_data(), status=403)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        super().form_valid(form)
        audit.audit_sign_in_event(
            event=audit.SIGNED_IN,
            request=self.request,
            user=self.request.user,
            method="password",
        )
        return second_step_redirect(self.request, self.get_success_url())


login = login_not_required(LoginView.as_view())
logout = auth_views.LogoutView.as_view()


@require_http_methods(["GET", "POST"])
@never_cache
@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step: a TOTP code or a recovery code."""
    next_url = safe_next(request)
    if not has_confirmed_device(request.user):
        return HttpResponseRedirect(
            f"{reverse('two_factor_setup')}?{urlencode({'next': next_url})}"
        )
    if session_verified(request):
        return HttpResponseRedirect(next_url)
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = otp_check(request=request, token=form.cleaned_data["otp_token"])
        if result.verified:
            if result.recovery_codes_left is not None:
                messages.warning(
                    request,
                    _("Recovery code used; %(n)d left. Set up new ones soon.")
                    % {"n": result.recovery_codes_left},
                )
            return HttpResponseRedirect(next_url)
        if result.locked_out:
            return locked_out_response(request)
        form.add_error("otp_token", _wrong_code_message(result.wait_seconds))
    return render(request, "accounts/verify.html", {"form": form, "next": next_url})


def _wrong_code_message(wait_seconds: int) -> str:
    if wait_seconds:
        return _("That code is not right. Wait %(s)d seconds before trying again.") % {
            "s": wait_seconds
        }
    return _("That code is not right. Please try again.")


def _lockout_page(request: HttpRequest) -> HttpResponse:
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": settings.AXES_COOLOFF_MINUTES,
    }
    return render(request, "accounts/locked_out.html", context, status=429)


def locked_out_response(request: HttpRequest) -> HttpResponse:
    """Too many failures from this address for this account: end the
    half-signed-in session and say when to retry."""
    auth_logout(request)
    return _lockout_page(request)


def axes_lockout(request: HttpRequest, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the same page when axes refuses a password."""
    return _lockout_page(request)


@require_http_methods(["GET", "POST"])
@never_cache
@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: QR code and secret, confirmed by a code."""
    next_url = safe_next(request)
    if has_confirmed_device(request.user):
        if session_verified(request):
            messages.info(request, _("Two-factor sign-in is already set up."))
            return HttpResponseRedirect(next_url)
        return HttpResponseRedirect(
            f"{reverse('two_factor_verify')}?{urlencode({'next': next_url})}"
        )
    device = pending_totp_device(request.user)
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = totp_confirm(
            request=request, device=device, token=form.cleaned_data["otp_token"]
        )
        if codes is not None:
            request.session[NEW_CODES_SESSION_KEY] = codes
            codes_page = reverse("two_factor_recovery_codes")
            return HttpResponseRedirect(f"{codes_page}?{urlencode({'next': next_url})}")
        form.add_error("otp_token", _("That code is not right. Please try again."))
    context = {
        "form": form,
        "next": next_url,
        "qr_svg": totp_qr_svg(device),
        "secret": totp_secret(device),
    }
    return render(request, "accounts/setup.html", context)


@require_http_methods(["GET"])
@never_cache
@login_required
def two_factor_recovery_codes(request: HttpRequest) -> HttpResponse:
    """The new recovery codes, shown once."""
    codes = request.session.pop(NEW_CODES_SESSION_KEY, None)
    next_url = safe_next(request)
    if not codes:
        return redirect(next_url)
    return render(
        request, "accounts/recovery_codes.html", {"codes": codes, "next": next_url}
    )
