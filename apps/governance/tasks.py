"""Celery entry points for governance: thin, each takes ids and calls a service.

Beat runs them (settings.CELERY_BEAT_SCHEDULE, "Governance" block).
"""

from celery import shared_task

from apps.governance.services.cases import case_expire_due
from apps.governance.services.notices import case_notices_due, case_notify_subject
from apps.governance.services.retention import retention_run_all
from apps.governance.services.reviews import (
    access_review_close_due,
    access_review_due,
    access_review_open,
)


@shared_task(name="apps.governance.tasks.expire_cases")
def expire_cases() -> int:
    """Expire past-due cases and remove their grants; returns how many."""
    return len(case_expire_due())


@shared_task(
    name="apps.governance.tasks.send_case_notice",
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def send_case_notice(case_id: int) -> bool:
    """Tell a case's employee, if the notice is due and not yet sent."""
    return case_notify_subject(case_id=case_id)


@shared_task(name="apps.governance.tasks.send_due_case_notices")
def send_due_case_notices() -> int:
    """Queue the notice of every case whose recorded delay has passed."""
    due = case_notices_due()
    for case_id in due:
        send_case_notice.delay(case_id)
    return len(due)


@shared_task(name="apps.governance.tasks.run_access_reviews")
def run_access_reviews() -> int:
    """Close ended reviews (revoking what was not recertified), then open a
    new one when the interval has passed. Returns the id opened, or 0."""
    access_review_close_due()
    if not access_review_due():
        return 0
    review = access_review_open()
    return review.pk if review else 0


@shared_task(
    name="apps.governance.tasks.enforce_retention",
    soft_time_limit=3300,
    time_limit=3600,
)
def enforce_retention() -> int:
    """One retention pass (big stores take long: its own time limits).

    Returns the run's id, or 0 when another run is under way.
    """
    run = retention_run_all()
    return run.pk if run else 0
