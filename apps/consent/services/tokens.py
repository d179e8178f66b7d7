"""Collector tokens: created with a secret shown once, revoked at once."""

import hashlib
import secrets
from collections.abc import Iterable
from functools import partial

from django.db import transaction
from django.utils import timezone

from apps.catalog.models import Program
from apps.consent.mirror import mirror_put_token
from apps.consent.models import CollectorToken
from apps.people.models import User

SECRET_PREFIX = "cnd_"  # noqa: S105 - a label, not a secret


def token_digest(secret: str) -> str:
    """The stored form of a secret: SHA-256 suffices for 256 random bits."""
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def collector_token_create(
    *, name: str, programs: Iterable[Program], created_by: User
) -> tuple[CollectorToken, str]:
    """Create a token scoped to `programs`; returns it and its secret.

    The secret is not stored anywhere: show it to the officer once.
    """
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = CollectorToken(
        name=name,
        prefix=secret[: len(SECRET_PREFIX) + 6],
        secret_hash=token_digest(secret),
        created_by=created_by,
        created_at=timezone.now(),
    )
    token.full_clean()
    token.save()
    token.programs.set(list(programs))
    transaction.on_commit(partial(mirror_put_token, token_id=token.pk))
    return token, secret


@transaction.atomic
def collector_token_scope_set(
    *, token: CollectorToken, programs: Iterable[Program]
) -> None:
    """Replace the programs a token may ask about."""
    token.programs.set(list(programs))
    transaction.on_commit(partial(mirror_put_token, token_id=token.pk))


@transaction.atomic
def collector_token_revoke(*, token: CollectorToken) -> CollectorToken:
    """Revoke `token`; revoking twice keeps the first time."""
    updated = CollectorToken.objects.filter(pk=token.pk, revoked_at__isnull=True)
    updated.update(revoked_at=timezone.now())
    token.refresh_from_db()
    transaction.on_commit(partial(mirror_put_token, token_id=token.pk))
    return token
