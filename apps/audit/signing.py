"""Checkpoint signatures: HMAC-SHA256 with a key the database never sees.

The key is AUDIT_SIGNING_KEY, or one derived from SECRET_KEY when it is
unset. Each checkpoint stores the id of the key that signed it (the first
16 hex digits of the key's SHA-256), so a key can be rotated: keys listed in
AUDIT_SIGNING_KEY_FALLBACKS still verify the checkpoints they signed.
"""

import datetime as dt
import hashlib
import hmac

from django.conf import settings

from apps.audit.chain import canonical_timestamp

_DERIVATION_SALT = b"candor.audit.checkpoint-signing-key"


def _current_key() -> bytes:
    if settings.AUDIT_SIGNING_KEY:
        return settings.AUDIT_SIGNING_KEY.encode()
    # A key of its own, so that a leaked checkpoint signature says nothing
    # about SECRET_KEY and vice versa.
    return hmac.new(
        settings.SECRET_KEY.encode(), _DERIVATION_SALT, hashlib.sha256
    ).digest()


def _all_keys() -> list[bytes]:
    return [_current_key()] + [
        key.encode() for key in settings.AUDIT_SIGNING_KEY_FALLBACKS
    ]


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:16]


def current_key_id() -> str:
    return key_id(_current_key())


def _message(*, seq: int, record_hash: str, signed_at: dt.datetime, kid: str) -> bytes:
    stamp = canonical_timestamp(signed_at)
    return f"candor-audit-checkpoint-v1|{seq}|{record_hash}|{stamp}|{kid}".encode()


def checkpoint_sign(
    *, seq: int, record_hash: str, signed_at: dt.datetime
) -> tuple[str, str]:
    """(key id, signature) for a checkpoint, with the current key."""
    key = _current_key()
    kid = key_id(key)
    message = _message(seq=seq, record_hash=record_hash, signed_at=signed_at, kid=kid)
    return kid, hmac.new(key, message, hashlib.sha256).hexdigest()


def checkpoint_signature_problem(
    *, seq: int, record_hash: str, signed_at: dt.datetime, kid: str, signature: str
) -> str:
    """Why this signature does not verify, or "" when it does."""
    key = next((k for k in _all_keys() if key_id(k) == kid), None)
    if key is None:
        return f"it was signed with key {kid}, which is not configured"
    message = _message(seq=seq, record_hash=record_hash, signed_at=signed_at, kid=kid)
    expected = hmac.new(key, message, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        return "its signature does not match its content"
    return ""
