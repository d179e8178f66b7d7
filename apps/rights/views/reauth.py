"""Recent sign-in for sensitive actions: moved to apps.accounts.stepup,
which adds the step-up page and the staff rules. Re-exported here so that
existing imports keep working."""

from apps.accounts.stepup import (  # noqa: F401
    SESSION_KEY,
    ask_to_sign_in_again,
    recent_login_required,
    remember_sign_in,
    signed_in_recently,
)
