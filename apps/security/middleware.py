"""Session limits, no-store caching, and the CSP with per-page additions."""

from __future__ import annotations

from collections.abc import Callable

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.contrib.messages.storage import default_storage
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.translation import gettext as _

from apps.security.sessions import (
    MAPPED_KEY,
    session_expiry_reason,
    session_map,
    session_touch,
)

Handler = Callable[[HttpRequest], HttpResponseBase]


class SessionLimitsMiddleware:
    """Ends a signed-in session past its idle or absolute limit.

    Only this session is flushed (not the user's others: the idle limit is
    about this device). Pages redirect to sign-in with a message; API calls
    go on as anonymous, so DRF answers 401/403 as for any caller without
    credentials.
    """

    def __init__(self, get_response: Handler):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = request.user
        if user.is_authenticated and hasattr(request, "session"):
            reason = session_expiry_reason(session=request.session, user=user)
            if reason is not None:
                return self._expire(request, reason)
            session_touch(request.session)
            if request.session.get(MAPPED_KEY) != request.session.session_key:
                session_map(session=request.session, user=user)
        return self.get_response(request)

    def _expire(self, request: HttpRequest, reason: str) -> HttpResponseBase:
        request.session.flush()
        request.user = AnonymousUser()
        if request.path_info.startswith(settings.SESSION_LIMITS_API_PREFIX):
            return self.get_response(request)
        if reason == "idle":
            text = _("You were signed out after a period without activity.")
        else:
            text = _("Your session reached its maximum length.")
        # This runs before MessageMiddleware has seen the request: keep the
        # message in a storage of our own and write it onto the redirect.
        storage = default_storage(request)
        storage.add(messages.INFO, f"{text} {_('Please sign in again.')}")
        response = redirect_to_login(request.get_full_path())
        storage.update(response)
        return response


class NoStoreMiddleware:
    """Nothing the application answers may be kept by a browser or a proxy:
    every page, API answer and download may carry personal data. Static
    files never get here (WhiteNoise answers them before this middleware)."""

    def __init__(self, get_response: Handler):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if "no-store" not in response.get("Cache-Control", ""):
            response["Cache-Control"] = "no-store"
        response["Pragma"] = "no-cache"
        return response


class CandorCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, plus the few additions a named view needs
    (settings.CSP_VIEW_UPDATES, keyed by URL name), and no more."""

    def get_policy_parts(
        self,
        request: HttpRequest,
        response: HttpResponse,
        report_only: bool = False,
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        match = getattr(request, "resolver_match", None)
        extra = settings.CSP_VIEW_UPDATES.get(match.view_name) if match else None
        if extra and not report_only:
            parts.update = {**(parts.update or {}), **extra}
        return parts
