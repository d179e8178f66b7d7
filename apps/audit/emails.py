"""E-mails as templates: <name>_subject.txt and <name>.txt, rendered together."""

from django.conf import settings
from django.core.mail import send_mass_mail
from django.template.loader import render_to_string


def send_template_mail(name: str, context: dict, recipients: list[str]) -> int:
    """Send one message per recipient (nobody sees the others' addresses).

    Returns the number sent; no recipients means nothing is sent.
    """
    recipients = [address for address in recipients if address]
    if not recipients:
        return 0
    subject = " ".join(render_to_string(f"{name}_subject.txt", context).split())
    body = render_to_string(f"{name}.txt", context)
    messages = [
        (subject, body, settings.DEFAULT_FROM_EMAIL, [address])
        for address in recipients
    ]
    return send_mass_mail(messages, fail_silently=False)
