"""Who may use which rights API operation, and what a caller may never see.

The rules the API's docstring promises (apps/rights/api/views.py): deny by
default, 404 for anyone else's request, officer endpoints 404 for anyone
but the privacy team, anonymous callers 401/403. The fuzzers check every
response against them, whatever schemathesis generated.
"""

from __future__ import annotations

from apps.rights.models import Request
from tests.fuzz.world import ANONYMOUS, OFFICER, Identity, World

OFFICER_STEPS = ("approve/", "refuse/", "extend/", "ask/", "confirm-identity/")
# Statuses the API answers by contract besides the documented ones: bad
# input, no credentials, not yours or not there, wrong method, expired.
ERROR_CONTRACT = frozenset({400, 401, 403, 404, 405, 410})


def is_officer_operation(path: str) -> bool:
    return path.endswith(OFFICER_STEPS) or path.endswith("/queue/")


def may_use(world: World, identity: Identity, path: str, target: str | None) -> bool:
    """Whether `identity` may get a 2xx from `path` on `target` (a request id
    or a download token, None for the list operations)."""
    if identity.name == ANONYMOUS:
        return False
    if is_officer_operation(path):
        return identity.name == OFFICER
    if target is None:
        return True  # one's own list; filing for oneself
    return target in identity.request_ids or target in identity.download_tokens


def snapshot(request_id: str | None) -> tuple | None:
    """What a refused call must leave as it was."""
    if request_id is None:
        return None
    row = Request.objects.filter(public_id=request_id).first()
    if row is None:
        return None
    return (row.status, row.updated_at, row.due_at, row.messages.count())


def leaked_ids(world: World, identity: Identity, path: str, body: bytes) -> list[str]:
    """Other people's request ids in a response `identity` received.

    Officers see every request on their own endpoints; nobody else ever sees
    an id that is not theirs."""
    if identity.name == OFFICER and is_officer_operation(path):
        return []
    text = body.decode("utf-8", "replace")
    return [r for r in world.foreign_ids(identity) if r in text]
