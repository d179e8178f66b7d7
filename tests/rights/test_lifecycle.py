"""Filing and moving requests: every transition, every refusal path."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from apps.audit.models import AuditAction, AuditRecord
from apps.people.models import Identifier
from apps.rights.models import Request, RequestKind, RequestMessage, RequestTransition
from apps.rights.services import lifecycle
from apps.rights.services.lifecycle import (
    RequestRefused,
    message_post,
    request_ask_subject,
    request_confirm_identity,
    request_extend,
    request_file,
    request_move,
    request_refuse,
    request_split,
    request_withdraw,
)
from tests.conftest import make_employee

pytestmark = pytest.mark.django_db

ERASURE = RequestKind.ERASURE


def steps(request):
    return list(
        RequestTransition.objects.filter(request=request)
        .order_by("at", "id")
        .values_list("from_status", "to_status")
    )


def file_erasure(alice, **kwargs):
    return request_file(subject=alice, kind=ERASURE, filed_by=alice.user, **kwargs)


def test_it_files_an_erasure_and_waits_for_an_officer(alice, light_catalog):
    request = file_erasure(alice, text="Please erase everything")

    assert request.status == "awaiting_approval"
    assert steps(request) == [
        ("", "submitted"),
        ("submitted", "identity_confirmed"),
        ("identity_confirmed", "awaiting_approval"),
    ]
    assert request.acknowledged_at is not None
    assert request.jurisdiction == "EU"
    assert request.due_at.month == (request.received_at.month % 12) + 1
    filed = AuditRecord.objects.get(action=AuditAction.RIGHTS_REQUEST_FILED)
    assert filed.subject_id == alice.pk
    assert filed.detail["request_id"] == request.pk
    assert (
        AuditRecord.objects.filter(
            action=AuditAction.RIGHTS_REQUEST_MOVED, subject=alice
        ).count()
        == 2
    )


def test_a_request_started_on_filing_logs_its_moves_in_order_before_its_work(
    alice, light_catalog, settings
):
    # Restriction, approved by policy here: its work writes a record of its own.
    settings.RIGHTS_APPROVAL_REQUIRED = []

    request = request_file(subject=alice, kind="restriction", filed_by=alice.user)

    request.refresh_from_db()
    assert request.status == "completed"
    assert steps(request)[:3] == [
        ("", "submitted"),
        ("submitted", "identity_confirmed"),
        ("identity_confirmed", "in_progress"),
    ]
    chain = [
        (record.action, record.detail.get("to_status"))
        for record in AuditRecord.objects.filter(subject=alice).order_by("seq")
    ]
    assert chain[:4] == [
        (AuditAction.RIGHTS_REQUEST_FILED, None),
        (AuditAction.RIGHTS_REQUEST_MOVED, "identity_confirmed"),
        (AuditAction.RIGHTS_REQUEST_MOVED, "in_progress"),
        (AuditAction.RIGHTS_PROCESSING_RESTRICTED, None),
    ]


def test_the_scope_reads_the_catalog_once_in_catalog_order(
    alice, light_catalog, django_assert_num_queries
):
    from apps.catalog.selectors import employee_datasets, programs_covering

    # A program about customers, not employees: none of its datasets count.
    customers = light_catalog["training"]
    customers.data_subjects = ["customer"]
    customers.save()

    with django_assert_num_queries(1):
        datasets = employee_datasets()
        stores = {d.store.key for d in datasets}
        programs = [d.program.key for d in datasets]

    keys = [d.key for d in datasets]
    assert keys == [
        d.key for p in programs_covering(employee=alice) for d in p.datasets_list
    ]
    assert keys == ["chat", "keystrokes"]
    assert programs == ["endpoint", "endpoint"]
    assert stores == {"db"}


def test_it_refuses_a_second_open_request_of_the_same_type(alice, light_catalog):
    file_erasure(alice)

    with pytest.raises(RequestRefused, match="already have an open request"):
        file_erasure(alice, all_programs=False, datasets=[light_catalog["chat"]])
    assert Request.objects.count() == 1


def test_it_files_again_once_the_first_is_closed(alice, officer, light_catalog):
    first = file_erasure(alice)
    request_refuse(request=first, officer=officer, reason="Manifestly unfounded")

    second = file_erasure(alice)

    assert second.pk != first.pk
    assert Request.objects.filter(status="awaiting_approval").count() == 1


def test_it_refuses_a_dataset_the_employee_is_not_in(light_catalog, db):
    # Dana has no laptop: no device serial, so the keystroke table holds
    # nothing about her.
    dana = make_employee("dana", number="E00009")

    with pytest.raises(RequestRefused, match="Keystrokes.*holds nothing about you"):
        request_file(
            subject=dana,
            kind=ERASURE,
            filed_by=dana.user,
            all_programs=False,
            datasets=[light_catalog["keystrokes"]],
        )
    assert not Request.objects.exists()


def test_it_refuses_an_empty_scope(alice, light_catalog):
    with pytest.raises(RequestRefused, match="at least one"):
        file_erasure(alice, all_programs=False)


def test_it_refuses_an_objection_to_a_consent_based_program(alice, light_catalog):
    with pytest.raises(RequestRefused, match="withdraw your consent"):
        request_file(
            subject=alice,
            kind=RequestKind.OBJECTION,
            filed_by=alice.user,
            all_programs=False,
            programs=[light_catalog["training"]],
        )


def test_it_refuses_an_unknown_type(alice, light_catalog):
    with pytest.raises(RequestRefused, match="Unknown request type"):
        request_file(subject=alice, kind="teleport", filed_by=alice.user)


def test_it_checks_a_rectification_names_known_fields(alice, light_catalog):
    with pytest.raises(RequestRefused, match="cannot be corrected.*device_serial"):
        request_file(
            subject=alice,
            kind=RequestKind.RECTIFICATION,
            filed_by=alice.user,
            details={
                "dataset": "keystrokes",
                "record": "7",
                "changes": {"device_serial": "SN-OTHER"},
            },
        )
    request = request_file(
        subject=alice,
        kind=RequestKind.RECTIFICATION,
        filed_by=alice.user,
        details={
            "dataset": "keystrokes",
            "record": "7",
            "changes": {"typed_text": "x"},
        },
    )
    assert request.details == {
        "dataset": "keystrokes",
        "record": "7",
        "changes": {"typed_text": "x"},
    }


def test_it_waits_for_identity_when_an_officer_files(alice, officer, light_catalog):
    request = request_file(
        subject=alice, kind=ERASURE, filed_by=officer, channel="officer"
    )
    assert request.status == "submitted"

    with pytest.raises(RequestRefused, match="how the employee's identity"):
        request_confirm_identity(request=request, officer=officer, reason=" ")
    request = request_confirm_identity(
        request=request, officer=officer, reason="Checked her badge in person"
    )

    assert request.status == "awaiting_approval"
    assert steps(request)[1] == ("submitted", "identity_confirmed")


def test_the_model_layer_refuses_an_illegal_transition(alice, light_catalog):
    request = file_erasure(alice)

    with pytest.raises(RequestRefused, match="cannot become"):
        request_move(request=request, to="completed", actor=None)
    request.refresh_from_db()
    assert request.status == "awaiting_approval"


def test_the_database_refuses_an_illegal_status_change(alice, light_catalog):
    request = file_erasure(alice)

    with pytest.raises(IntegrityError), transaction.atomic():
        Request.objects.filter(pk=request.pk).update(status="completed")
    request.refresh_from_db()
    assert request.status == "awaiting_approval"


def test_the_database_refuses_an_illegal_transition_record(alice, light_catalog):
    request = file_erasure(alice)

    with pytest.raises(IntegrityError), transaction.atomic():
        RequestTransition.objects.create(
            request=request,
            from_status="refused",
            to_status="in_progress",
            at=request.received_at,
        )


def test_the_database_refuses_a_request_born_past_submitted(alice, light_catalog):
    request = file_erasure(alice)
    request.pk = None
    request.public_id = "00000000-0000-0000-0000-000000000001"
    request.status = "completed"

    with pytest.raises(IntegrityError), transaction.atomic():
        request.save()


def test_it_refuses_a_move_on_a_stale_copy(alice, officer, light_catalog):
    request = file_erasure(alice)
    stale = Request.objects.get(pk=request.pk)
    request_refuse(request=request, officer=officer, reason="Duplicate")

    with pytest.raises(RequestRefused, match="changed meanwhile"):
        request_withdraw(request=stale, user=alice.user)
    assert Request.objects.get(pk=request.pk).status == "refused"


def test_a_refusal_needs_reasons_and_tells_of_the_right_to_complain(
    alice, officer, light_catalog
):
    request = file_erasure(alice)

    with pytest.raises(RequestRefused, match="needs its reasons"):
        request_refuse(request=request, officer=officer, reason="")
    request = request_refuse(request=request, officer=officer, reason="Excessive")

    assert request.status == "refused"
    assert request.refusal_reason == "Excessive"
    assert request.responded_at is not None
    assert "supervisory authority" in request.response_summary


def test_asking_the_employee_pauses_the_clock_until_they_answer(
    alice, officer, light_catalog, monkeypatch
):
    start = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(lifecycle, "_now", lambda: start)
    request = file_erasure(alice)
    due = request.due_at

    request = request_ask_subject(
        request=request, officer=officer, question="Which laptop?"
    )
    assert request.status == "awaiting_subject"
    assert request.paused_at == start

    monkeypatch.setattr(lifecycle, "_now", lambda: start + dt.timedelta(days=5))
    request = message_post(request=request, author=alice.user, body="The old one")

    assert request.status == "awaiting_approval"
    assert request.due_at == due + dt.timedelta(days=5)
    assert request.paused_at is None
    bodies = list(
        RequestMessage.objects.filter(request=request).values_list(
            "from_subject", "body"
        )
    )
    assert bodies == [(False, "Which laptop?"), (True, "The old one")]


def test_a_message_from_the_team_does_not_restart_the_clock(
    alice, officer, light_catalog
):
    request = file_erasure(alice)
    request = request_ask_subject(request=request, officer=officer, question="Why?")

    request = message_post(request=request, author=officer, body="Any news?")

    assert request.status == "awaiting_subject"


def test_it_refuses_an_empty_message(alice, light_catalog):
    request = file_erasure(alice)
    with pytest.raises(RequestRefused, match="Write a message"):
        message_post(request=request, author=alice.user, body="   ")
    assert not RequestMessage.objects.exists()


def test_it_extends_once_with_reasons_told_to_the_employee(
    alice, officer, light_catalog
):
    request = file_erasure(alice)
    due = request.due_at

    with pytest.raises(RequestRefused, match="needs its reasons"):
        request_extend(request=request, officer=officer, reason="")
    request = request_extend(
        request=request, officer=officer, reason="Forty stores to search"
    )

    assert request.due_at.month == (due.month + 1) % 12 + 1
    assert request.extended_days >= 59
    assert request.extension_reason == "Forty stores to search"
    assert RequestMessage.objects.get(request=request).body == "Forty stores to search"
    with pytest.raises(RequestRefused, match="extended already"):
        request_extend(request=request, officer=officer, reason="Again")


def test_it_refuses_an_extension_after_the_deadline(
    alice, officer, light_catalog, monkeypatch
):
    request = file_erasure(alice)
    later = request.due_at + dt.timedelta(seconds=1)
    monkeypatch.setattr(lifecycle, "_now", lambda: later)

    with pytest.raises(RequestRefused, match="deadline has passed"):
        request_extend(request=request, officer=officer, reason="Busy")
    request.refresh_from_db()
    assert request.extended_days == 0


def test_the_employee_withdraws_a_pending_request(alice, light_catalog):
    request = file_erasure(alice)

    request = request_withdraw(request=request, user=alice.user)

    assert request.status == "withdrawn"
    assert steps(request)[-1] == ("awaiting_approval", "withdrawn")


def test_a_closed_request_cannot_be_withdrawn(alice, officer, light_catalog):
    request = file_erasure(alice)
    request_refuse(request=request, officer=officer, reason="Unfounded")

    with pytest.raises(RequestRefused, match="can no longer be withdrawn"):
        request_withdraw(request=request, user=alice.user)


def test_a_request_reaches_copies_derived_from_its_datasets(alice, light_catalog):
    request = file_erasure(alice, all_programs=False, datasets=[light_catalog["chat"]])
    split = request_split(
        request=request,
        officer=make_employee("olaf", number="S009").user,
        datasets=[light_catalog["corpus"]],
        reason="The AI team answers for the corpus",
    )

    assert split.parent_id == request.pk
    assert split.kind == ERASURE
    assert split.status == "awaiting_approval"
    assert list(split.datasets.values_list("key", flat=True)) == ["corpus"]
    assert list(request.datasets.values_list("key", flat=True)) == ["chat"]
    assert split.due_at == request.due_at


def test_it_refuses_to_split_off_everything(alice, officer, light_catalog):
    request = file_erasure(alice, all_programs=False, datasets=[light_catalog["chat"]])
    with pytest.raises(RequestRefused, match="some, not all"):
        request_split(
            request=request,
            officer=officer,
            datasets=[light_catalog["chat"], light_catalog["corpus"]],
            reason="All of it",
        )
    assert Request.objects.count() == 1


def test_a_leaver_files_through_the_team(alice, officer, light_catalog):
    alice.is_leaver = True
    alice.save()

    with pytest.raises(RequestRefused, match="through the privacy team"):
        file_erasure(alice)
    request = request_file(
        subject=alice, kind=ERASURE, filed_by=officer, channel="officer"
    )
    assert request.status == "submitted"


def test_an_employee_without_identifiers_of_a_kind_is_not_in_it(light_catalog, db):
    dana = make_employee("dana", number="E00009")
    Identifier.objects.create(employee=dana, kind="device_serial", value="SN-DANA")

    request = request_file(subject=dana, kind=ERASURE, filed_by=dana.user)

    assert request.status == "awaiting_approval"


def test_an_officer_never_decides_their_own_request(officer, light_catalog):
    own = officer.employee
    request = request_file(subject=own, kind=ERASURE, filed_by=officer)
    assert request.status == "awaiting_approval"

    with pytest.raises(RequestRefused, match="your own request"):
        request_refuse(request=request, officer=officer, reason="Mine")
    with pytest.raises(RequestRefused, match="your own request"):
        request_extend(request=request, officer=officer, reason="Mine")
    request.refresh_from_db()
    assert request.status == "awaiting_approval"
    assert request.extended_days == 0
