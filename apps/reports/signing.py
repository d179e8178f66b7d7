"""Evidence-bundle manifests: HMAC-SHA256 with a key the database never sees.

The key is REPORTS_SIGNING_KEY, or one derived from SECRET_KEY when it is
unset (as the audit checkpoints' key is, with a salt of its own). The
signature file names the key's id, so a verifier holding several keys knows
which one to use and says so when it holds none of them.
"""

import hashlib
import hmac

from django.conf import settings

_DERIVATION_SALT = b"candor.reports.bundle-signing-key"


def _key() -> bytes:
    if settings.REPORTS_SIGNING_KEY:
        return settings.REPORTS_SIGNING_KEY.encode()
    return hmac.new(
        settings.SECRET_KEY.encode(), _DERIVATION_SALT, hashlib.sha256
    ).digest()


def key_id() -> str:
    return hashlib.sha256(_key()).hexdigest()[:16]


def manifest_sign(manifest: bytes) -> str:
    """The signature file's text: "<key id> <hex HMAC of the manifest>"."""
    digest = hmac.new(_key(), manifest, hashlib.sha256).hexdigest()
    return f"{key_id()} {digest}\n"


def manifest_signature_problem(manifest: bytes, signature: str) -> str:
    """Why `signature` does not vouch for `manifest`, or "" when it does."""
    kid, _, digest = signature.strip().partition(" ")
    if kid != key_id():
        return f"it was signed with key {kid}, which is not the configured key"
    expected = hmac.new(_key(), manifest, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, digest):
        return "the manifest does not match its signature"
    return ""
