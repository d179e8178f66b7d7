"""Staff reach nothing but the two-factor pages and sign-out until their
session has passed a second factor (docs/accounts.md).

Off when ACCOUNTS_REQUIRE_STAFF_2FA is False. The admin's own sign-in form
is replaced by ours, so that it cannot skip the second step.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse

from apps.accounts.staff import second_factor_required
from apps.accounts.two_factor import has_confirmed_device, session_verified

# URL names reachable before the second factor (besides static files).
OPEN_BEFORE_SECOND_FACTOR = (
    "login",
    "logout",
    "two_factor_verify",
    "two_factor_setup",
    "two_factor_recovery_codes",
    "oidc_authentication_init",
    "oidc_authentication_callback",
)


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == reverse("admin:login"):
            query = urlencode({"next": request.GET.get("next", reverse("admin:index"))})
            return HttpResponseRedirect(f"{reverse('login')}?{query}")
        if self._must_verify(request):
            name = (
                "two_factor_verify"
                if has_confirmed_device(request.user)
                else "two_factor_setup"
            )
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse(name)}?{query}")
        return self.get_response(request)

    def _must_verify(self, request: HttpRequest) -> bool:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        if settings.STATIC_URL and request.path.startswith(settings.STATIC_URL):
            return False
        if _open_before_second_factor(request):
            return False
        # The session first: a verified staff member costs no role query.
        return not session_verified(request) and second_factor_required(user)


def _open_before_second_factor(request: HttpRequest) -> bool:
    """Only the pages named above. Not every @login_not_required view: the
    API's views are marked so (REST framework authenticates them itself) and
    would still read the half-signed-in session."""
    try:
        return resolve(request.path_info).url_name in OPEN_BEFORE_SECOND_FACTOR
    except Resolver404:
        return False
