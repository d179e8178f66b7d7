"""Which user each server-side session belongs to.

Django's session table stores the user id inside an encoded blob, so
"end every session of this user" would mean decoding every row. A row here,
written at sign-in, makes it one indexed query. It dies with its session
(CASCADE), so `clearsessions` keeps this table small too.
"""

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import models
from django.utils.translation import gettext_lazy as _


class UserSession(models.Model):
    session = models.OneToOneField(
        Session, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("user"),
    )
    signed_in_at = models.DateTimeField(_("signed in at"), auto_now_add=True)

    class Meta:
        verbose_name = _("user session")
        verbose_name_plural = _("user sessions")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.session_id[:8]}…"
