"""E-mails as subject/text/html template triples, rendered by one helper."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def send_templated(name: str, *, to: str, context: dict[str, Any]) -> None:
    """Send governance/emails/<name>-subject.txt, -body.txt and -body.html."""
    base = f"governance/emails/{name}"
    subject = " ".join(render_to_string(f"{base}-subject.txt", context).split())
    text = render_to_string(f"{base}-body.txt", context)
    html = render_to_string(f"{base}-body.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    message.attach_alternative(html, "text/html")
    message.send()
