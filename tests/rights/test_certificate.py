"""Erasure certificates: signed by the portal, verified by a command,
refused when altered or signed by another key."""

import base64
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command

from apps.rights import signing

PAYLOAD = {
    "certificate": "erasure",
    "request": "6f1c0c1e-0000-4000-8000-000000000001",
    "datasets": [{"dataset": "keystrokes", "records_before": 3, "records_after": 0}],
    "verification": {"result": "passed", "records_remaining": 0},
}


def issued(payload=PAYLOAD) -> bytes:
    signed = signing.sign(payload)
    return signing.document(
        payload=payload, signature=signed.signature, signed_by=signed.key_id
    )


def verify(tmp_path, raw: bytes, *args) -> str:
    path = tmp_path / "certificate.json"
    path.write_bytes(raw)
    from io import StringIO

    out = StringIO()
    call_command("verify_certificate", str(path), *args, stdout=out)
    return out.getvalue().strip()


def test_it_verifies_a_genuine_certificate(tmp_path):
    assert verify(tmp_path, issued()) == "OK"


def test_it_verifies_with_a_published_public_key(tmp_path, settings):
    settings.RIGHTS_SIGNING_KEY = base64.b64encode(b"s" * 32).decode()
    public = base64.b64encode(signing.portal_public_key()).decode()
    raw = issued()
    settings.RIGHTS_SIGNING_KEY = base64.b64encode(b"t" * 32).decode()

    assert verify(tmp_path, raw, "--public-key", public) == "OK"
    with pytest.raises(CommandError, match="not the trusted key"):
        verify(tmp_path, raw)


def test_a_changed_count_is_refused(tmp_path):
    document = json.loads(issued())
    document["payload"]["datasets"][0]["records_after"] = 0
    document["payload"]["datasets"][0]["records_before"] = 30

    with pytest.raises(CommandError, match="signature does not match") as failure:
        verify(tmp_path, json.dumps(document).encode())
    assert failure.value.returncode == 1


def test_a_certificate_signed_by_another_key_carrying_its_own_is_refused(tmp_path):
    forger = Ed25519PrivateKey.generate()
    public = signing.public_key_bytes(forger.public_key())
    document = {
        "algorithm": "Ed25519",
        "key_id": signing.key_id(public),
        "public_key": base64.b64encode(public).decode(),
        "signature": base64.b64encode(forger.sign(signing.canonical(PAYLOAD))).decode(),
        "payload": PAYLOAD,
    }

    problems = signing.verify_document(json.dumps(document).encode())

    assert any("not the trusted key" in p for p in problems)
    assert any("signature does not match" in p for p in problems)


def test_it_says_what_is_wrong_with_a_file_that_is_not_a_certificate(tmp_path):
    with pytest.raises(CommandError, match="not JSON"):
        verify(tmp_path, b"%PDF-1.4")
    with pytest.raises(CommandError, match="missing payload"):
        verify(tmp_path, b'{"signature": "x", "key_id": "y"}')


def test_the_key_in_settings_signs(settings):
    settings.RIGHTS_SIGNING_KEY = base64.b64encode(b"k" * 32).decode()
    expected = Ed25519PrivateKey.from_private_bytes(b"k" * 32).public_key()
    assert signing.portal_public_key() == signing.public_key_bytes(expected)
    settings.RIGHTS_SIGNING_KEY = ""
    assert signing.portal_public_key() != signing.public_key_bytes(expected)
