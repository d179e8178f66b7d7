"""Server-side sessions: record who holds each one, end them all at once,
and decide when one has lasted too long.

Timestamps live in the session itself (epoch seconds): the absolute clock
starts at sign-in, the idle clock at the last request.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.contrib.sessions.models import Session
from django.db import transaction

from apps.governance.permissions import is_staff_member
from apps.people.models import User
from apps.security.models import UserSession

SIGNED_IN_AT = "_candor_signed_in_at"
SEEN_AT = "_candor_seen_at"
# The key the UserSession row was written for: a key cycled later (a
# password change, a step-up) is mapped again at its next request.
MAPPED_KEY = "_candor_mapped_key"
# The idle clock is written at most this often (seconds): one session write
# per minute of activity, not one per request.
SEEN_GRANULARITY = 60


def _now() -> float:
    """The clock; a seam for tests."""
    return time.time()


def session_record(*, session: SessionBase, user: User) -> None:
    """Start the clocks of a fresh sign-in and remember whose session it is."""
    now = _now()
    session[SIGNED_IN_AT] = now
    session[SEEN_AT] = now
    if session.session_key is None:
        session.save()
    session_map(session=session, user=user)


def session_map(*, session: SessionBase, user: User) -> None:
    """Write the session -> user row for the session's current key."""
    key = session.session_key
    # After login() cycled the key the row exists (database backend).
    if key and Session.objects.filter(session_key=key).exists():
        UserSession.objects.update_or_create(session_id=key, defaults={"user": user})
        session[MAPPED_KEY] = key


@transaction.atomic
def end_sessions_of(users: Iterable[User | int]) -> int:
    """End every session of these users, on every device; returns how many.

    Deleting the session rows is enough: the next request with one of those
    cookies finds no session and is anonymous.
    """
    ids = [u if isinstance(u, int) else u.pk for u in users]
    if not ids:
        return 0
    keys = list(
        UserSession.objects.filter(user_id__in=ids).values_list("session_id", flat=True)
    )
    # The join row goes with its session (CASCADE).
    Session.objects.filter(session_key__in=keys).delete()
    return len(keys)


def idle_limit_seconds(user: User) -> int:
    minutes = (
        settings.SESSION_IDLE_MINUTES_STAFF
        if is_staff_member(user)
        else settings.SESSION_IDLE_MINUTES
    )
    return minutes * 60


def session_expiry_reason(*, session: SessionBase, user: User) -> str | None:
    """ "absolute", "idle" or None (still valid). A session from before these
    limits existed (no timestamps) counts as expired: it has no known start."""
    now = _now()
    signed_in_at = session.get(SIGNED_IN_AT)
    seen_at = session.get(SEEN_AT)
    if signed_in_at is None or seen_at is None:
        return "absolute"
    if now - signed_in_at > settings.SESSION_ABSOLUTE_HOURS * 3600:
        return "absolute"
    idle = now - seen_at
    shortest = min(settings.SESSION_IDLE_MINUTES_STAFF, settings.SESSION_IDLE_MINUTES)
    # Roles cost a query: ask for them only once the shorter limit is past.
    if idle > shortest * 60 and idle > idle_limit_seconds(user):
        return "idle"
    return None


def session_touch(session: SessionBase) -> None:
    """Restart the idle clock (written at most once a minute)."""
    now = _now()
    if now - session.get(SEEN_AT, 0) >= SEEN_GRANULARITY:
        session[SEEN_AT] = now
