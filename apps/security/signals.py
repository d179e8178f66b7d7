"""Sign-in starts a recorded session; sign-out and deactivation end them all."""

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import post_save
from django.dispatch import receiver

from apps.people.models import User
from apps.security.sessions import end_sessions_of, session_record


@receiver(user_logged_in, dispatch_uid="security_session_record")
def _on_sign_in(sender, request, user, **kwargs) -> None:
    session_record(session=request.session, user=user)


@receiver(user_logged_out, dispatch_uid="security_sign_out_everywhere")
def _on_sign_out(sender, request, user, **kwargs) -> None:
    # Signing out on one device signs out every device: a shared or stolen
    # session elsewhere must not outlive the owner's intent.
    if user is not None:
        end_sessions_of([user])


@receiver(post_save, sender=User, dispatch_uid="security_deactivation")
def _on_user_saved(sender, instance: User, created: bool, **kwargs) -> None:
    # A deactivated account (a leaver) keeps no session anywhere. Saves of
    # inactive users cost one indexed query that usually finds nothing.
    if not created and not instance.is_active:
        end_sessions_of([instance])
