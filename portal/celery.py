"""The Celery app: configured from Django settings (CELERY_*), tasks found in apps."""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("candor")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def recycle_database_connections(task=None, **_) -> None:
    """At each task's start and end, as Django does around each web request:
    a connection past CONN_MAX_AGE, or left broken (a soft time limit that
    struck mid-query), is closed; the next query opens a new one, after
    CONN_HEALTH_CHECKS has tried the kept one. Celery itself only closes
    every CELERY_DB_REUSE_MAX tasks (portal/settings.py).

    Not for an eager task, run inside its caller's transaction (a test's)."""
    from django.db import close_old_connections

    if task is not None and getattr(task.request, "is_eager", False):
        return
    close_old_connections()
