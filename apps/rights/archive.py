"""Encryption at rest for export archives and their part files, by streaming.

The format is a STREAM-style construction over AES-256-GCM (Hoang, Reyhanitabar,
Rogaway, Vizár, "Online authenticated-encryption and its nonce-reuse
misuse-resistance", 2015), the one Tink's streaming AEAD uses:

    header  = MAGIC (5 bytes) | nonce prefix (7 random bytes)
    chunk i = AES-GCM(key, nonce = prefix | i (4 bytes, big endian) | last
              (1 byte: 1 on the final chunk, else 0), plaintext_i, aad=header)

Every chunk but the last holds CHUNK_SIZE bytes of plaintext; the last holds
0..CHUNK_SIZE and is always written, so a file cut short (no final chunk) or
with chunks swapped fails to decrypt. Memory stays at one chunk whatever
the file's size.

Keys: a 32-byte key per file derived with HKDF-SHA256 from the master key
(settings.RIGHTS_EXPORT_KEY, or SECRET_KEY when that is empty) with the
file's purpose as info ("export:<id>", "part:<job id>:<name>"), so one
file's key opens no other.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

MAGIC = b"CNDR1"
PREFIX_SIZE = 7
HEADER_SIZE = len(MAGIC) + PREFIX_SIZE
CHUNK_SIZE = 256 * 1024
TAG_SIZE = 16


class ArchiveCorrupt(Exception):
    """An encrypted file was altered, cut short, or opened with the wrong key."""


def _master_key() -> bytes:
    configured = settings.RIGHTS_EXPORT_KEY
    if configured:
        try:
            return base64.b64decode(configured, validate=True)
        except ValueError:
            return configured.encode()
    return settings.SECRET_KEY.encode()


def derive_key(info: str) -> bytes:
    """The 32-byte key for the file named by `info`."""
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=b"candor-rights-archive",
        info=info.encode(),
    ).derive(_master_key())


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    if counter >= 2**32:
        raise ValueError("file too large for one stream")
    return prefix + counter.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


class EncryptingWriter:
    """A write-only binary stream that encrypts into `raw` as it goes.

    Counts and (unless `digest` is false) hashes the plaintext (`size`,
    `sha256`); tell() reports the plaintext position, and seek() is refused,
    which is what zipfile needs to write an archive to a stream it cannot
    rewind.
    """

    def __init__(self, raw: BinaryIO, key: bytes, *, digest: bool = True) -> None:
        self._raw = raw
        self._aead = AESGCM(key)
        self._prefix = os.urandom(PREFIX_SIZE)
        self._header = MAGIC + self._prefix
        self._buffer = bytearray()
        self._counter = 0
        self._hash = hashlib.sha256() if digest else None
        self.size = 0
        self.closed = False
        raw.write(self._header)

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def tell(self) -> int:
        return self.size

    def seek(self, *args) -> int:
        raise OSError("an encrypting stream cannot seek")

    def write(self, data) -> int:
        view = memoryview(data).cast("B")
        size = len(view)
        if self._hash is not None:
            self._hash.update(view)
        self.size += size
        # Keep 1..CHUNK_SIZE bytes back: the last chunk must be written by
        # close(), flagged as last, even when the data ends on a boundary.
        # Full chunks of a large write go out without being copied first.
        position = 0
        if self._buffer:
            room = CHUNK_SIZE - len(self._buffer)
            if size <= room:
                self._buffer += view
                return size
            self._buffer += view[:room]
            self._emit(self._buffer, last=False)
            self._buffer.clear()
            position = room
        while size - position > CHUNK_SIZE:
            self._emit(view[position : position + CHUNK_SIZE], last=False)
            position += CHUNK_SIZE
        self._buffer += view[position:]
        return size

    def flush(self) -> None:
        self._raw.flush()

    def _emit(self, plain: bytes, *, last: bool) -> None:
        nonce = _nonce(self._prefix, self._counter, last)
        self._raw.write(self._aead.encrypt(nonce, plain, self._header))
        self._counter += 1

    def close(self) -> None:
        if self.closed:
            return
        self._emit(self._buffer, last=True)
        self._buffer.clear()
        self._raw.flush()
        self.closed = True

    @property
    def sha256(self) -> str | None:
        return self._hash.hexdigest() if self._hash is not None else None

    def __enter__(self) -> EncryptingWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def decrypt_stream(raw: BinaryIO, key: bytes) -> Iterator[bytes]:
    """The plaintext of an encrypted stream, chunk by chunk.

    Raises ArchiveCorrupt on a wrong key, an altered, reordered or missing
    chunk, or a stream cut short.
    """
    header = raw.read(HEADER_SIZE)
    if len(header) != HEADER_SIZE or not header.startswith(MAGIC):
        raise ArchiveCorrupt("not an encrypted archive")
    aead = AESGCM(key)
    prefix = header[len(MAGIC) :]
    sealed = CHUNK_SIZE + TAG_SIZE
    counter = 0
    current = raw.read(sealed)
    while True:
        following = raw.read(sealed)
        last = not following
        if len(current) < TAG_SIZE:
            raise ArchiveCorrupt("the archive is cut short")
        try:
            plain = aead.decrypt(_nonce(prefix, counter, last), current, header)
        except InvalidTag:
            raise ArchiveCorrupt("the archive was altered or cut short") from None
        if plain:
            yield plain
        if last:
            return
        counter += 1
        current = following


def encrypted_file_writer(
    path: Path, info: str, *, digest: bool = True
) -> tuple[EncryptingWriter, BinaryIO]:
    """An EncryptingWriter onto a new file at `path` (parents created).

    Returns (writer, raw file); close the writer, then the file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = open(path, "wb")  # noqa: SIM115 - closed by the caller, after the writer
    return EncryptingWriter(raw, derive_key(info), digest=digest), raw


def read_encrypted_file(path: Path, info: str) -> Iterator[bytes]:
    """The plaintext of the encrypted file at `path`, chunk by chunk."""
    with open(path, "rb") as raw:
        yield from decrypt_stream(raw, derive_key(info))
