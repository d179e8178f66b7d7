"""The event log is the truth; the projection follows it and can be rebuilt."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.consent.models import (
    Channel,
    ConsentErasureWish,
    ConsentEvent,
    ConsentState,
    EventKind,
)
from apps.consent.services import (
    ConsentRefused,
    consent_expire_due,
    consent_grant,
    consent_projection_rebuild,
    consent_withdraw,
)
from tests.consent.conftest import publish

pytestmark = pytest.mark.django_db


def states() -> list[tuple]:
    return sorted(
        ConsentState.objects.values_list(
            "employee_id", "program_id", "state", "notice_version", "expires_at",
            "event_id", "updated_at",
        )
    )  # fmt: skip


def test_it_appends_a_grant_and_projects_it(alice, training, notice):
    state = consent_grant(employee=alice, program=training, notice=notice)
    event = ConsentEvent.objects.get()
    assert (event.kind, event.channel, event.notice) == ("granted", "portal", notice)
    assert (state.state, state.notice_version, state.event) == ("granted", 1, event)


def test_it_withdraws_once_on_a_double_click(alice, training, notice):
    consent_grant(employee=alice, program=training, notice=notice)
    first = consent_withdraw(employee=alice, program=training)
    second = consent_withdraw(employee=alice, program=training)
    kinds = list(ConsentEvent.objects.values_list("kind", flat=True))
    assert kinds == ["granted", "withdrawn"]
    assert first.pk == second.pk and second.event_id == first.event_id
    assert second.state == "withdrawn"


def test_it_grants_once_on_a_double_click(alice, training, notice):
    consent_grant(employee=alice, program=training, notice=notice)
    consent_grant(employee=alice, program=training, notice=notice)
    assert ConsentEvent.objects.count() == 1


def test_it_withdraws_nothing_never_granted(alice, training, notice):
    assert consent_withdraw(employee=alice, program=training) is None
    assert not ConsentEvent.objects.exists()


def test_it_records_the_erasure_wish_once(alice, training, notice):
    consent_grant(employee=alice, program=training, notice=notice)
    consent_withdraw(employee=alice, program=training, erase=True)
    consent_withdraw(employee=alice, program=training, erase=True)
    wish = ConsentErasureWish.objects.get()
    assert wish.event.kind == "withdrawn" and wish.filed_at is None


def test_it_records_an_erasure_wish_given_on_a_second_click(alice, training, notice):
    consent_grant(employee=alice, program=training, notice=notice)
    consent_withdraw(employee=alice, program=training)
    consent_withdraw(employee=alice, program=training, erase=True)
    assert ConsentErasureWish.objects.count() == 1
    assert ConsentEvent.objects.filter(kind="withdrawn").count() == 1


def test_it_refuses_a_program_not_based_on_consent(alice, security):
    notice = publish(security)
    with pytest.raises(ConsentRefused):
        consent_grant(employee=alice, program=security, notice=notice)


def test_officers_must_give_a_reason(alice, officer, training, notice):
    with pytest.raises(ConsentRefused):
        consent_grant(
            employee=alice, program=training, notice=notice,
            channel=Channel.OFFICER, actor=officer,
        )  # fmt: skip
    consent_grant(
        employee=alice, program=training, notice=notice,
        channel=Channel.OFFICER, actor=officer, reason="Signed paper form #12",
    )  # fmt: skip
    assert ConsentEvent.objects.get().reason == "Signed paper form #12"


def test_the_database_refuses_an_officer_event_without_reason(alice, training, notice):
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsentEvent.objects.create(
            employee=alice, program=training, notice=notice, kind="granted",
            channel="officer", created_at=timezone.now(),
        )  # fmt: skip


def test_it_expires_grants_past_their_expiry(alice, bob, training, notice):
    soon = timezone.now() + dt.timedelta(hours=1)
    consent_grant(employee=alice, program=training, notice=notice, expires_at=soon)
    consent_grant(employee=bob, program=training, notice=notice)
    assert consent_expire_due(now=soon + dt.timedelta(seconds=1)) == 1
    assert consent_expire_due(now=soon + dt.timedelta(seconds=2)) == 0
    by_employee = dict(ConsentState.objects.values_list("employee_id", "state"))
    assert by_employee == {alice.pk: "expired", bob.pk: "granted"}
    assert ConsentEvent.objects.filter(kind=EventKind.EXPIRED).get().channel == "system"


def test_rebuild_from_the_log_equals_the_live_state(
    alice, bob, charlie, officer, training, security, notice
):
    consent_grant(employee=alice, program=training, notice=notice)
    consent_grant(employee=bob, program=training, notice=notice)
    consent_withdraw(employee=bob, program=training, erase=True)
    later = publish(training, material=True)
    consent_grant(employee=bob, program=training, notice=later)
    soon = timezone.now() + dt.timedelta(minutes=5)
    consent_grant(
        employee=charlie, program=training, notice=later, expires_at=soon,
        channel=Channel.OFFICER, actor=officer, reason="Asked by phone",
    )  # fmt: skip
    consent_expire_due(now=soon + dt.timedelta(seconds=1))
    live = states()
    assert len(live) == 3
    ConsentState.objects.filter(employee=alice).update(state="withdrawn")  # drift
    assert consent_projection_rebuild() == 3
    assert states() == live
    ConsentState.objects.all().delete()
    call_command("rebuild_consent_projection", verbosity=0)
    assert states() == live
