"""Filing stays short: a bounded number of queries, no e-mail rendered in the
request that files, its notices sent by a worker after the work is queued."""

import datetime as dt

import pytest
from django.core import mail
from django.db import IntegrityError, connection

from apps.rights import notifications, tasks
from apps.rights.models import Job, Request
from apps.rights.services import lifecycle
from apps.rights.services.lifecycle import RequestRefused, request_file

pytestmark = pytest.mark.django_db

# Filing an access request and starting it (scope, request, three moves whose
# transitions and audit records are written together, the jobs and the
# export row, no savepoint but the request's own INSERT's). Counted on a run
# (16 on PostgreSQL, 19 on SQLite, whose audit chain is appended in Python,
# not by a database function), with room for a little more: a change that
# adds a query per dataset or per move shows here.
MAX_FILING_QUERIES = {"postgresql": 19, "sqlite": 22}


@pytest.fixture
def queued(monkeypatch) -> list[tuple]:
    """What filing sends to the workers, in order."""
    sent: list[tuple] = []
    monkeypatch.setattr(tasks.run_job, "delay", lambda pk: sent.append(("job", pk)))
    monkeypatch.setattr(
        notifications.send_request_notices,
        "delay",
        lambda pk, events: sent.append(("notices", pk, events)),
    )
    return sent


def test_filing_renders_no_email_and_queues_the_notices_after_the_jobs(
    alice, light_catalog, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = request_file(subject=alice, kind="access", filed_by=alice.user)

    assert mail.outbox == []
    jobs = list(Job.objects.filter(request=request).order_by("pk"))
    assert jobs
    assert queued == [
        *[("job", job.pk) for job in jobs],
        ("notices", request.pk, ["received", "new_request"]),
    ]


def test_a_rolled_back_filing_queues_nothing(alice, light_catalog, queued):
    # No on_commit callback runs without a commit: nothing is queued.
    request_file(subject=alice, kind="access", filed_by=alice.user)

    assert queued == []


def test_the_worker_sends_the_notices_to_the_employee_and_the_officers(
    alice, officer, light_catalog, queued
):
    request = request_file(subject=alice, kind="erasure", filed_by=alice.user)

    sent = notifications.send_request_notices(request.pk, ["received", "new_request"])

    assert sent == 2
    assert [m.to for m in mail.outbox] == [[alice.work_email], [officer.email]]
    assert str(request.public_id)[:8] in mail.outbox[0].subject


def test_filing_takes_a_bounded_number_of_queries(
    alice, light_catalog, queued, django_assert_max_num_queries
):
    with django_assert_max_num_queries(MAX_FILING_QUERIES[connection.vendor]):
        request = request_file(subject=alice, kind="access", filed_by=alice.user)

    assert request.status == "in_progress"


def test_a_duplicate_caught_by_the_database_is_told_as_one(
    alice, light_catalog, queued, monkeypatch
):
    request_file(subject=alice, kind="erasure", filed_by=alice.user)
    # As if a second filing had raced past the check before the first committed.
    monkeypatch.setattr(lifecycle, "_open_duplicate", lambda *args: False)

    with pytest.raises(RequestRefused, match="already have an open request"):
        request_file(subject=alice, kind="erasure", filed_by=alice.user)
    assert Request.objects.count() == 1


def test_a_broken_check_constraint_is_not_told_as_a_duplicate(
    alice, light_catalog, queued, monkeypatch
):
    real = lifecycle.clock_for

    class Backwards:
        """A clock gone wrong: due before the request was received."""

        def __init__(self, clock):
            self.clock = clock
            self.jurisdiction = clock.jurisdiction

        def acknowledge_by(self, received):
            return self.clock.acknowledge_by(received)

        def due(self, received):
            return received - dt.timedelta(days=1)

    monkeypatch.setattr(lifecycle, "clock_for", lambda j: Backwards(real(j)))

    with pytest.raises(IntegrityError):
        request_file(subject=alice, kind="erasure", filed_by=alice.user)


def test_a_broker_that_is_down_loses_the_notice_not_the_request(
    alice, light_catalog, queued, monkeypatch, django_capture_on_commit_callbacks
):
    def down(*args):
        raise ConnectionError("broker down")

    monkeypatch.setattr(notifications.send_request_notices, "delay", down)

    with django_capture_on_commit_callbacks(execute=True):
        request = request_file(subject=alice, kind="access", filed_by=alice.user)

    assert Request.objects.get(pk=request.pk).status == "in_progress"
    assert mail.outbox == []
    assert {kind for kind, *_ in queued} == {"job"}
