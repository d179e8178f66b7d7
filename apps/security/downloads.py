"""Safe file names for Content-Disposition headers.

A name may come from data (a dataset key, a file's suffix in a store): it
must not carry a path, a quote that ends the parameter, or a control
character that splits the header. Non-ASCII names keep their text through
RFC 5987's filename*, with an ASCII fallback for old clients.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

_UNSAFE = re.compile(r'[\x00-\x1f\x7f-\x9f/\\"]')
FALLBACK_NAME = "download"


def safe_attachment_name(name: str, *, fallback: str = FALLBACK_NAME) -> str:
    """The last path component of `name`, without control characters, quotes
    or separators, never empty, never a dot file, at most 150 characters."""
    name = unicodedata.normalize("NFC", str(name))
    name = re.split(r"[/\\]", name)[-1]
    name = _UNSAFE.sub("", name).strip().lstrip(".").strip()
    if not name:
        return fallback
    if len(name) > 150:
        stem, dot, suffix = name.rpartition(".")
        keep = suffix if dot and len(suffix) <= 10 else ""
        name = name[: 150 - len(keep) - 1] + ("." + keep if keep else "")
    return name


def ascii_fallback(name: str) -> str:
    """The name in plain ASCII for clients that ignore filename*: accents
    dropped, other characters replaced by "_"."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(
        c if 0x20 <= ord(c) < 0x7F else "_"
        for c in decomposed
        if not unicodedata.combining(c)
    )
    return plain or FALLBACK_NAME


def content_disposition(name: str, *, inline: bool = False) -> str:
    """The whole header value: `attachment; filename="..."`, plus
    `filename*=UTF-8''...` (RFC 5987) when the name is not plain ASCII."""
    disposition = "inline" if inline else "attachment"
    safe = safe_attachment_name(name)
    fallback = ascii_fallback(safe)
    value = f'{disposition}; filename="{fallback}"'
    if fallback != safe:
        value += f"; filename*=UTF-8''{quote(safe, safe='')}"
    return value
