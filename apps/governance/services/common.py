"""Helpers shared by the governance services."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

# AuditRecord.purpose holds at most this many characters.
PURPOSE_MAX = 300


def now() -> dt.datetime:
    """The current time: one seam for every governance service."""
    return timezone.now()


def purpose_text(text: str) -> str:
    """`text` cut to what an audit record's purpose can hold."""
    text = " ".join(text.split())
    if len(text) <= PURPOSE_MAX:
        return text
    return text[: PURPOSE_MAX - 1] + "…"
