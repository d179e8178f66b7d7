"""Sample request history for the benchmark, the tests and the screenshots.

The rights engine's tables only accept a request that starts as submitted
and moves along the lifecycle (a database trigger enforces it), so the
sample is inserted as submitted and then walked, set by set, along legal
transitions to where each request ends. Deterministic for a given seed.
Never called by the portal itself.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Sequence

from django.db import transaction
from django.db.models import F

from apps.people.models import Employee, User
from apps.rights.models import Request, RequestChannel, RequestKind, RequestStatus

S = RequestStatus
# Where a sample request ends, and the path from submitted to it.
PATHS = {
    S.SUBMITTED: [],
    S.AWAITING_APPROVAL: [S.IDENTITY_CONFIRMED, S.AWAITING_APPROVAL],
    S.IN_PROGRESS: [S.IDENTITY_CONFIRMED, S.IN_PROGRESS],
    S.COMPLETED: [S.IDENTITY_CONFIRMED, S.IN_PROGRESS, S.COMPLETED],
    S.PARTIALLY_COMPLETED: [S.IDENTITY_CONFIRMED, S.IN_PROGRESS, S.PARTIALLY_COMPLETED],
    S.REFUSED: [S.REFUSED],
    S.WITHDRAWN: [S.WITHDRAWN],
}
WEIGHTS = {
    S.SUBMITTED: 4,
    S.AWAITING_APPROVAL: 3,
    S.IN_PROGRESS: 4,
    S.COMPLETED: 70,
    S.PARTIALLY_COMPLETED: 6,
    S.REFUSED: 8,
    S.WITHDRAWN: 5,
}
DEADLINE = dt.timedelta(days=30)


@transaction.atomic
def sample_requests_create(
    *,
    count: int,
    subjects: Sequence[Employee],
    filed_by: User,
    now: dt.datetime,
    days: int = 365,
    seed: int = 1,
    batch_size: int = 5000,
) -> int:
    """Insert `count` requests received over the last `days` days; returns
    how many. Answered ones have an answer 1-40 days after receipt, some an
    extension with its reason, refused ones a reason."""
    rng = random.Random(seed)  # noqa: S311 (sample data, not secrets)
    ends = list(WEIGHTS)
    weights = [WEIGHTS[s] for s in ends]
    rows, final = [], {}
    for n in range(count):
        received = now - dt.timedelta(seconds=rng.randrange(days * 86400))
        end = rng.choices(ends, weights)[0]
        if end in CLOSING:
            # Closed requests need an answer in the past.
            received = min(received, now - dt.timedelta(days=41))
        extended = end in (S.COMPLETED, S.PARTIALLY_COMPLETED) and rng.random() < 0.1
        request = Request(
            public_id=uuid.UUID(int=rng.getrandbits(128), version=4),
            subject=subjects[n % len(subjects)],
            kind=rng.choice(RequestKind.values),
            channel=rng.choice(RequestChannel.values),
            filed_by=filed_by,
            jurisdiction="EU",
            # Scoped, so that the one-open-request-per-type rule (which the
            # rights service applies to real requests) does not refuse the
            # history while every sample request is still "submitted".
            all_programs=False,
            received_at=received,
            due_at=received
            + DEADLINE
            + (dt.timedelta(days=60) if extended else dt.timedelta()),
            extended_days=60 if extended else 0,
            extension_reason="Complex request across many stores" if extended else "",
            extended_at=received + dt.timedelta(days=20) if extended else None,
        )
        rows.append(request)
        final[request.public_id] = (end, received, rng.uniform(1, 40))
    Request.objects.bulk_create(rows, batch_size=batch_size)
    _walk(final)
    return count


def _walk(final: dict) -> None:
    """Move each request along its path, one step at a time, in set-based
    UPDATEs (the trigger checks every row's transition). A closing step is
    one UPDATE per status and whole number of days to the answer."""
    by_id = dict(
        Request.objects.filter(public_id__in=list(final)).values_list("public_id", "pk")
    )
    for step in range(3):
        groups: dict[tuple[str, int], list[int]] = {}
        for public_id, (end, _received, days) in final.items():
            path = PATHS[end]
            if step < len(path):
                status = path[step]
                key = (status, int(days) if status in CLOSING else 0)
                groups.setdefault(key, []).append(by_id[public_id])
        for (status, days), pks in sorted(groups.items()):
            fields = {"status": status}
            if status in CLOSING:
                fields["responded_at"] = F("received_at") + dt.timedelta(
                    days=days, hours=7
                )
                fields["response_summary"] = SUMMARIES.get(status, "")
                if status == S.REFUSED:
                    fields["refusal_reason"] = "Manifestly unfounded (Art. 12(5))"
            for start in range(0, len(pks), 5000):
                Request.objects.filter(pk__in=pks[start : start + 5000]).update(
                    **fields
                )


CLOSING = (S.COMPLETED, S.PARTIALLY_COMPLETED, S.REFUSED, S.WITHDRAWN)
SUMMARIES = {
    S.COMPLETED: "Answered in full",
    S.PARTIALLY_COMPLETED: "Answered in part: some data kept under a legal hold",
    S.REFUSED: "Refused with reasons",
}
