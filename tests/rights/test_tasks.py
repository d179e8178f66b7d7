"""Jobs through their states: claims and races, leases, retries with
backoff, the attempts cap, failures and the officer's retry or give-up; the
sweeper (lost messages, lost workers, stragglers) and deadline warnings."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from apps.consent.models import ConsentErasureWish
from apps.consent.services.consent import consent_grant, consent_withdraw
from apps.consent.services.notices import notice_publish
from apps.rights.models import Job, JobStatus, Request, RequestKind
from apps.rights.services import jobs as jobs_module
from apps.rights.services.execution import job_abandon, job_retry
from apps.rights.services.finishing import request_finish
from apps.rights.services.jobs import backoff_seconds, job_claim, job_run
from apps.rights.services.lifecycle import RequestRefused, request_file
from apps.rights.services.sweeper import (
    deadlines_check,
    erasure_wishes_file,
    jobs_redrive,
)
from apps.stores.base import StoreMisconfigured, StoreUnavailable
from apps.stores.registry import get_connector

pytestmark = pytest.mark.django_db(databases=["default", "telemetry"], transaction=True)


def access(employee):
    return request_file(
        subject=employee, kind=RequestKind.ACCESS, filed_by=employee.user
    )


def first_job(request) -> Job:
    return request.jobs.order_by("pk").first()


class Down:
    """Connectors whose store does not answer (only `only`'s, when given)."""

    def __init__(self, error=StoreUnavailable, only: str = ""):
        self.error = error
        self.only = only

    def __call__(self, store):
        if self.only and store.key != self.only:
            return get_connector(store)
        self.store = store
        return self

    def stream(self, *args, **kwargs):
        raise self.error(self.store, "connection refused")

    summarize = erase = verify = rectify = stream


def store_back_up(monkeypatch):
    monkeypatch.setattr("apps.rights.services.exports.get_connector", get_connector)


def test_two_claims_of_one_job_one_wins(alice, catalog, sent):
    job = first_job(access(alice))

    first = job_claim(job_id=job.pk, worker="w1")
    second = job_claim(job_id=job.pk, worker="w2")

    assert first is not None and second is None
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.RUNNING, 1)
    assert job.claimed_by.startswith("w1:")
    assert job.lease_expires_at > timezone.now()


def test_a_running_job_whose_lease_ran_out_is_claimed_again_as_an_attempt(
    alice, catalog, sent
):
    job = first_job(access(alice))
    job_claim(job_id=job.pk, worker="lost")
    Job.objects.filter(pk=job.pk).update(
        lease_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )

    assert job_run(job_id=job.pk, worker="w2") == "done"

    job.refresh_from_db()
    assert (job.status, job.attempts, job.records_done) == (JobStatus.DONE, 2, 3)


def test_a_done_job_is_not_run_again(alice, catalog, sent):
    job = first_job(access(alice))
    assert job_run(job_id=job.pk) == "done"

    assert job_run(job_id=job.pk) == "skipped"
    job.refresh_from_db()
    assert job.attempts == 1


def test_a_worker_that_lost_its_lease_writes_nothing(alice, catalog, sent):
    job = first_job(access(alice))
    claimed, token = job_claim(job_id=job.pk, worker="slow")
    # Another worker took over after the lease ran out, and finished.
    Job.objects.filter(pk=job.pk).update(claimed_by="other:1")

    assert jobs_module._finish(claimed, token, "rights_data_exported", {}) is False
    assert jobs_module.job_fail(job=claimed, token=token, error="late") is False
    job.refresh_from_db()
    assert (job.status, job.last_error) == (JobStatus.RUNNING, "")


def test_an_outage_retries_later_with_backoff_and_jitter(
    alice, catalog, sent, monkeypatch, settings
):
    settings.RIGHTS_RETRY_BASE_SECONDS = 10
    monkeypatch.setattr("apps.rights.services.exports.get_connector", Down())
    job = first_job(access(alice))
    before = timezone.now()

    assert job_run(job_id=job.pk) == "retry"

    job.refresh_from_db()
    assert job.status == JobStatus.PENDING
    assert "connection refused" in job.last_error
    wait = (job.run_after - before).total_seconds()
    assert 10 <= wait <= 20 + 1  # base * 2^1, times [0.5, 1)
    assert sent.countdowns == [(job.pk, pytest.approx(wait, abs=1))]
    # Not due yet: a duplicate message now claims nothing.
    assert job_run(job_id=job.pk) == "skipped"


def test_backoff_grows_and_is_capped(settings):
    settings.RIGHTS_RETRY_BASE_SECONDS = 10
    settings.RIGHTS_RETRY_MAX_SECONDS = 100
    assert 5 <= backoff_seconds(0) < 10
    assert 40 <= backoff_seconds(3) < 80
    assert 50 <= backoff_seconds(10) < 100


def test_a_countdown_past_the_visibility_timeout_is_left_to_the_sweeper(
    alice, catalog, sent, monkeypatch, settings
):
    settings.RIGHTS_RETRY_BASE_SECONDS = 1000
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 900}
    monkeypatch.setattr("apps.rights.services.exports.get_connector", Down())
    job = first_job(access(alice))

    assert job_run(job_id=job.pk) == "retry"

    assert sent.countdowns == []
    job.refresh_from_db()
    assert job.status == JobStatus.PENDING


def test_the_attempts_cap_holds_across_outages(
    alice, catalog, sent, monkeypatch, settings
):
    settings.RIGHTS_JOB_MAX_ATTEMPTS = 2
    monkeypatch.setattr("apps.rights.services.exports.get_connector", Down())
    job = first_job(access(alice))

    assert job_run(job_id=job.pk) == "retry"
    Job.objects.filter(pk=job.pk).update(run_after=timezone.now())
    assert job_run(job_id=job.pk) == "failed"

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.last_error.startswith("gave up after 2 attempts")


def test_the_attempts_cap_holds_across_lost_workers(alice, catalog, sent):
    job = first_job(access(alice))
    Job.objects.filter(pk=job.pk).update(attempts=job.max_attempts)

    # A redelivery after the last allowed attempt died with its worker.
    assert job_run(job_id=job.pk) == "failed"

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "lost each time" in job.last_error
    assert job.attempts == job.max_attempts + 1


def test_a_misconfigured_store_fails_at_once_and_the_officer_retries_it(
    alice, catalog, officer, sent, monkeypatch
):
    monkeypatch.setattr(
        "apps.rights.services.exports.get_connector",
        Down(StoreMisconfigured, only="mon"),
    )
    request = access(alice)
    job = first_job(request)

    assert job_run(job_id=job.pk) == "failed"
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.FAILED, 1)
    # The failed job keeps the request in progress, for the officer.
    for other in request.jobs.exclude(pk=job.pk):
        assert job_run(job_id=other.pk) == "done"
    assert request_finish(request_id=request.pk) is None

    store_back_up(monkeypatch)
    sent.jobs.clear()
    job_retry(job=job, officer=officer)
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.PENDING, 0)
    assert sent.jobs == [job.pk]
    assert job_run(job_id=job.pk) == "done"
    request.refresh_from_db()
    assert request.status == "completed"


def test_only_officers_retry_and_a_give_up_needs_a_reason(
    alice, catalog, officer, sent, monkeypatch
):
    monkeypatch.setattr(
        "apps.rights.services.exports.get_connector", Down(StoreMisconfigured)
    )
    request = access(alice)
    job = first_job(request)
    job_run(job_id=job.pk)
    job.refresh_from_db()

    with pytest.raises(RequestRefused):
        job_retry(job=job, officer=alice.user)
    with pytest.raises(RequestRefused):
        job_abandon(job=job, officer=officer, reason=" ")


def test_a_given_up_job_finishes_the_request_partially(
    alice, catalog, officer, sent, monkeypatch
):
    monkeypatch.setattr(
        "apps.rights.services.exports.get_connector", Down(StoreMisconfigured)
    )
    request = access(alice)
    jobs = list(request.jobs.order_by("pk"))
    for job in jobs:
        job_run(job_id=job.pk)
    store_back_up(monkeypatch)
    job_retry(job=jobs[1], officer=officer)
    job_run(job_id=jobs[1].pk)
    jobs[0].refresh_from_db()

    job_abandon(job=jobs[0], officer=officer, reason="The keystroke server was retired")

    assert sent.finishes[-1] == request.pk
    request = request_finish(request_id=request.pk)
    assert request.status == "partially_completed"
    assert "keystroke server was retired" in request.response_summary


def test_the_sweeper_runs_a_job_whose_message_was_lost(alice, catalog, sent):
    request = access(alice)
    sent.jobs.clear()  # The messages never reached the broker.
    Job.objects.update(updated_at=timezone.now() - dt.timedelta(minutes=1))

    counts = jobs_redrive()

    assert counts["pending"] == 2
    assert sorted(sent.jobs) == sorted(request.jobs.values_list("pk", flat=True))


def test_the_sweeper_redrives_a_job_whose_worker_died_and_finishes_stragglers(
    alice, catalog, sent, monkeypatch
):
    request = access(alice)
    dead, alive = list(request.jobs.order_by("pk"))
    job_claim(job_id=dead.pk, worker="killed")
    Job.objects.filter(pk=dead.pk).update(
        lease_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert job_run(job_id=alive.pk) == "done"
    sent.jobs.clear()

    assert jobs_redrive()["stale"] == 1
    assert sent.jobs == [dead.pk]
    # This worker dies too, after the job, before finishing the request.
    monkeypatch.setattr(
        "apps.rights.services.finishing.request_finish", lambda request_id: None
    )
    assert job_run(job_id=dead.pk) == "done"
    monkeypatch.setattr("apps.rights.services.finishing.request_finish", request_finish)

    # The sweeper sends the finish.
    assert jobs_redrive()["finishing"] == 1
    assert sent.finishes == [request.pk]
    assert request_finish(request_id=request.pk).status == "completed"
    assert jobs_redrive() == {"pending": 0, "stale": 0, "finishing": 0}


def test_deadline_warnings_are_sent_once(alice, catalog, officer, sent):
    request = access(alice)
    mail.outbox.clear()
    now = timezone.now()
    Request.objects.filter(pk=request.pk).update(due_at=now + dt.timedelta(days=6))

    assert deadlines_check(now=now)["warned_7d"] == 1
    assert deadlines_check(now=now)["warned_7d"] == 0
    assert deadlines_check(now=now + dt.timedelta(days=5, hours=1))["warned_1d"] == 1
    assert deadlines_check(now=now + dt.timedelta(days=5, hours=2))["warned_1d"] == 0
    late = deadlines_check(now=now + dt.timedelta(days=7))
    assert late["overdue"] == 1
    assert deadlines_check(now=now + dt.timedelta(days=8))["overdue"] == 0
    request.refresh_from_db()
    assert request.warned_7d_at and request.warned_1d_at and request.overdue_flagged_at
    # One e-mail each to the privacy team: 7 days, 1 day, overdue.
    assert [m.to for m in mail.outbox] == [[officer.email]] * 3


def test_a_request_filed_late_gets_only_the_one_day_warning(alice, catalog, sent):
    request = access(alice)
    now = timezone.now()
    Request.objects.filter(pk=request.pk).update(due_at=now + dt.timedelta(hours=12))

    counts = deadlines_check(now=now)
    assert (counts["warned_7d"], counts["warned_1d"]) == (0, 1)
    assert deadlines_check(now=now)["warned_7d"] == 0
    request.refresh_from_db()
    assert request.warned_1d_at == request.warned_7d_at == now


def test_the_sweeper_files_consent_erasure_wishes_once(alice, catalog, sent):
    program = catalog["program"]
    program.legal_basis = "consent"
    program.save()
    notice = notice_publish(
        program=program,
        title="Notice",
        text="We record keystrokes.",
        collected="Keystrokes",
        why="Security",
        retention="90 days",
        recipients="IT Security",
    )
    consent_grant(employee=alice, program=program, notice=notice)
    consent_withdraw(employee=alice, program=program, erase=True)
    wish = ConsentErasureWish.objects.get()

    assert erasure_wishes_file() == {"filed": 1, "not_filed": 0}
    assert erasure_wishes_file() == {"filed": 0, "not_filed": 0}

    wish.refresh_from_db()
    assert wish.filed_at is not None
    filed = Request.objects.get(subject=alice, kind=RequestKind.ERASURE)
    assert (filed.channel, filed.filed_by_id, filed.status) == (
        "officer",
        alice.user.pk,
        "awaiting_approval",
    )
    assert list(filed.programs.all()) == [program]
