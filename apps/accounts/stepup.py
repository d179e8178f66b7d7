"""Step-up re-authentication before sensitive actions.

Recent means: this session signed in, or stepped up on the step-up page
(password, or a fresh round trip to the identity provider; plus the second
factor for staff), within a window. The time is kept in the session itself,
not in `User.last_login`: a sign-in on another device must not vouch for
this session (a stolen cookie stays a stolen cookie).

Windows: RIGHTS_REAUTH_MINUTES for an employee's own download (the
historical rule, apps.rights), ACCOUNTS_STEP_UP_MINUTES for staff actions.
A POST is never replayed: the step-up sends the person back to the page
holding the form, to submit it again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.staff import second_factor_required
from apps.accounts.two_factor import session_verified

SESSION_KEY = "candor_signed_in_at"
STEPPED_UP_KEY = "accounts_stepped_up_at"


def remember_sign_in(sender, request: HttpRequest | None, user, **kwargs) -> None:
    """user_logged_in receiver (apps.rights.apps): note when this session
    signed in."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = timezone.now().isoformat()


def _within(request: HttpRequest, key: str, minutes: int) -> bool:
    stamp = request.session.get(key)
    if not stamp:
        return False
    try:
        when = dt.datetime.fromisoformat(stamp)
    except (TypeError, ValueError):
        return False
    return timezone.now() - when <= dt.timedelta(minutes=minutes)


def signed_in_recently(request: HttpRequest, minutes: int | None = None) -> bool:
    """Whether this session signed in or stepped up within `minutes`
    (RIGHTS_REAUTH_MINUTES by default)."""
    if minutes is None:
        minutes = settings.RIGHTS_REAUTH_MINUTES
    return _within(request, SESSION_KEY, minutes) or _within(
        request, STEPPED_UP_KEY, minutes
    )


def staff_stepped_up(request: HttpRequest) -> bool:
    """Recent within ACCOUNTS_STEP_UP_MINUTES, second factor included."""
    if not signed_in_recently(request, settings.ACCOUNTS_STEP_UP_MINUTES):
        return False
    return not second_factor_required(request.user) or session_verified(request)


def step_up_done(request: HttpRequest) -> None:
    request.session[STEPPED_UP_KEY] = timezone.now().isoformat()


def step_up_url(next_url: str) -> str:
    return f"{reverse('step_up')}?{urlencode({'next': next_url})}"


def ask_to_sign_in_again(request: HttpRequest, next_url: str) -> HttpResponse:
    messages.info(request, _("For your safety, please confirm it is you to continue."))
    return HttpResponseRedirect(step_up_url(next_url))


def recent_login_required(view: Callable[..., HttpResponse]) -> Callable:
    """Send to the step-up page (and back here after) unless this session
    signed in within the last RIGHTS_REAUTH_MINUTES. Put it under
    @login_required: anonymous visitors are sent there first."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not signed_in_recently(request):
            return ask_to_sign_in_again(request, request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


Predicate = Callable[..., bool]


def staff_step_up_required(
    *, back: str | Callable[..., str] | None = None, only_if: Predicate | None = None
) -> Callable:
    """Step-up within ACCOUNTS_STEP_UP_MINUTES (and the second factor) before
    the view runs. `only_if(request, **kwargs)` limits it to some calls (an
    erasure among approvals). A POST is sent back to `back` (a URL name or a
    callable(request, **kwargs) giving the page with the form), never
    replayed; a GET comes back to itself. Anonymous visitors pass through to
    the view's own sign-in redirect."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if _needs_step_up(request, only_if, kwargs):
                return ask_to_sign_in_again(request, _back_url(request, back, kwargs))
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _needs_step_up(request: HttpRequest, only_if: Predicate | None, kwargs) -> bool:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    if only_if is not None and not only_if(request, **kwargs):
        return False
    return not staff_stepped_up(request)


def _back_url(request: HttpRequest, back, kwargs: dict) -> str:
    if request.method in ("GET", "HEAD") or back is None:
        return request.get_full_path()
    return back(request, **kwargs) if callable(back) else reverse(back)
