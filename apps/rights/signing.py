"""Ed25519 signatures on erasure certificates.

The portal signs the canonical JSON of a certificate's payload with the key
in settings.RIGHTS_SIGNING_KEY (base64 of a 32-byte seed). When that is
empty the key is derived from SECRET_KEY, which suits a demo only: anyone
holding SECRET_KEY could then sign certificates (docs/rights.md).

A certificate document (certificate_document) carries the payload, the
signature, the key id and the public key; `manage.py verify_certificate`
checks it against the portal's own public key, or one given by whoever
verifies, never against the key the document itself carries.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

ALGORITHM = "Ed25519"


def canonical(payload: dict) -> bytes:
    """The bytes that are signed: sorted keys, no spaces, UTF-8."""
    return json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()


def _seed() -> bytes:
    configured = settings.RIGHTS_SIGNING_KEY
    if configured:
        seed = base64.b64decode(configured, validate=True)
        if len(seed) != 32:
            raise ValueError("RIGHTS_SIGNING_KEY must be base64 of 32 bytes")
        return seed
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=b"candor-rights-signing",
        info=b"erasure-certificates",
    ).derive(settings.SECRET_KEY.encode())


def private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(_seed())


def public_key_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(
        encoding=serialization.Encoding.Raw, format=serialization.PublicFormat.Raw
    )


def key_id(public: bytes) -> str:
    """Names a public key: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(public).hexdigest()[:16]


def portal_public_key() -> bytes:
    return public_key_bytes(private_key().public_key())


@dataclass(frozen=True)
class Signature:
    signature: str  # base64
    key_id: str


def sign(payload: dict) -> Signature:
    key = private_key()
    signed = key.sign(canonical(payload))
    return Signature(
        signature=base64.b64encode(signed).decode(),
        key_id=key_id(public_key_bytes(key.public_key())),
    )


def document(*, payload: dict, signature: str, signed_by: str) -> bytes:
    """The downloadable certificate: JSON of payload, signature and key."""
    return (
        json.dumps(
            {
                "algorithm": ALGORITHM,
                "key_id": signed_by,
                "public_key": base64.b64encode(portal_public_key()).decode(),
                "signature": signature,
                "payload": payload,
            },
            indent=2,
            sort_keys=True,
            ensure_ascii=False,
        ).encode()
        + b"\n"
    )


def verify_document(raw: bytes, *, public_key: bytes | None = None) -> list[str]:
    """What is wrong with a certificate document; an empty list when it is
    genuine. `public_key` (raw 32 bytes) defaults to the portal's own."""
    try:
        doc = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return ["the file is not JSON"]
    if not isinstance(doc, dict):
        return ["the file is not a certificate"]
    problems = []
    missing = [k for k in ("payload", "signature", "key_id") if k not in doc]
    if missing:
        return [f"missing {', '.join(missing)}"]
    if doc.get("algorithm", ALGORITHM) != ALGORITHM:
        problems.append(f"unknown algorithm {doc.get('algorithm')!r}")
    trusted = public_key if public_key is not None else portal_public_key()
    if doc["key_id"] != key_id(trusted):
        problems.append(
            f"signed with key {doc['key_id']}, not the trusted key {key_id(trusted)}"
        )
    try:
        signature = base64.b64decode(str(doc["signature"]), validate=True)
        Ed25519PublicKey.from_public_bytes(trusted).verify(
            signature, canonical(doc["payload"])
        )
    except (ValueError, InvalidSignature):
        problems.append("the signature does not match the payload")
    return problems
