"""Recent sign-in for sensitive actions (downloading an archive or a
certificate, filing an erasure).

The time of sign-in is kept in the session itself, not in
`User.last_login`: a sign-in on another device must not vouch for this
session (a stolen cookie stays a stolen cookie).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

SESSION_KEY = "candor_signed_in_at"


def remember_sign_in(sender, request: HttpRequest | None, user, **kwargs) -> None:
    """user_logged_in receiver (apps.rights.apps): note when this session
    signed in."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = timezone.now().isoformat()


def signed_in_recently(request: HttpRequest) -> bool:
    """Whether this session signed in within RIGHTS_REAUTH_MINUTES."""
    stamp = request.session.get(SESSION_KEY)
    if not stamp:
        return False
    try:
        when = dt.datetime.fromisoformat(stamp)
    except (TypeError, ValueError):
        return False
    window = dt.timedelta(minutes=settings.RIGHTS_REAUTH_MINUTES)
    return timezone.now() - when <= window


def ask_to_sign_in_again(request: HttpRequest, next_url: str) -> HttpResponse:
    messages.info(request, _("For your safety, please sign in again to continue."))
    return redirect_to_login(next_url)


def recent_login_required(view: Callable[..., HttpResponse]) -> Callable:
    """Send to the sign-in page (and back here after) unless this session
    signed in within the last RIGHTS_REAUTH_MINUTES. Put it under
    @login_required: anonymous visitors are sent there first."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not signed_in_recently(request):
            return ask_to_sign_in_again(request, request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper
